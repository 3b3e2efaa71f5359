#include "kube/manifest_document.h"

#include <regex>
#include <sstream>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace kscale::kube {

namespace {

boost::json::value scalar_to_json(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() != "?") {
    return boost::json::value(s);  // quoted or explicitly tagged: a string
  }
  static const std::regex kInt(R"(^[-+]?[0-9]+$)");
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return nullptr;
  }
  if (s == "true" || s == "True" || s == "TRUE") {
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    return false;
  }
  if (std::regex_match(s, kInt)) {
    try {
      return static_cast<int64_t>(std::stoll(s));
    } catch (const std::out_of_range&) {
      return boost::json::value(s);
    }
  }
  if (std::regex_match(s, kFloat)) {
    return std::stod(s);
  }
  return boost::json::value(s);
}

boost::json::value yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      boost::json::object o;
      for (const auto& kv : node) {
        o[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      }
      return o;
    }
    case YAML::NodeType::Sequence: {
      boost::json::array a;
      for (const auto& item : node) {
        a.push_back(yaml_to_json(item));
      }
      return a;
    }
    case YAML::NodeType::Scalar:
      return scalar_to_json(node);
    default:
      return nullptr;
  }
}

void emit(YAML::Emitter& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object:
      out << YAML::BeginMap;
      for (const auto& kv : v.as_object()) {
        out << YAML::Key << std::string(kv.key()) << YAML::Value;
        emit(out, kv.value());
      }
      out << YAML::EndMap;
      break;
    case boost::json::kind::array:
      out << YAML::BeginSeq;
      for (const auto& item : v.as_array()) {
        emit(out, item);
      }
      out << YAML::EndSeq;
      break;
    case boost::json::kind::string: {
      const std::string s(v.as_string());
      out << (scalar_to_json(YAML::Load(s.empty() ? "''" : s)).is_string() ? YAML::Auto
                                                                           : YAML::DoubleQuoted)
          << s;
      break;
    }
    case boost::json::kind::null:
      out << YAML::Null;
      break;
    case boost::json::kind::bool_:
      out << v.as_bool();
      break;
    default:
      out << boost::json::serialize(v);
      break;
  }
}

}  // namespace

core::Result<boost::json::value> parse_document(std::string_view text) {
  try {
    const YAML::Node node = YAML::Load(std::string(text));
    if (!node.IsDefined() || node.IsNull()) {
      return core::fail(core::Error::bad_request("the document is empty"));
    }
    return yaml_to_json(node);
  } catch (const YAML::Exception& e) {
    return core::fail(
        core::Error::bad_request(fmt::format("not valid YAML or JSON: line {}, column {}: {}",
                                             e.mark.line + 1, e.mark.column + 1, e.msg)));
  }
}

std::string to_yaml(const boost::json::value& v) {
  YAML::Emitter out;
  emit(out, v);
  return std::string(out.c_str()) + "\n";
}

}  // namespace kscale::kube
