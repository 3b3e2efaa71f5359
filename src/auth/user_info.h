#pragma once
// auth::UserInfo: who made a request, as k8s.io/apiserver's user.Info — what authentication
// finds and authorization asks about.

#include <map>
#include <string>
#include <vector>

namespace kscale::auth {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
};

}  // namespace kscale::auth
