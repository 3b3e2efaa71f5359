#pragma once
// Certificates for the auth tests, made by the openssl CLI into the build tree
// (KSCALE_AUTH_TEST_CERT_DIR) and reused for a day by every test process (ctest runs each test
// in its own), under a file lock: a client CA with alice (O=dev, O=ops) and a server-only certificate; a front-proxy CA
// with front-proxy-client, rogue, and an intermediate signing a second front-proxy-client.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace kscale::testing {

class TestCertificates {
 public:
  static const TestCertificates& get() {
    static const TestCertificates certificates;
    return certificates;
  }
  std::string pem(const std::string& name) const { return read(name + ".crt"); }
  std::string der(const std::string& name) const { return read(name + ".der"); }
  std::string path(const std::string& name) const { return (dir_ / (name + ".crt")).string(); }
  std::string key_path(const std::string& name) const { return (dir_ / (name + ".key")).string(); }

 private:
  TestCertificates() : dir_(KSCALE_AUTH_TEST_CERT_DIR) {
    std::filesystem::create_directories(dir_);
    const int lock = ::open((dir_ / ".lock").c_str(), O_CREAT | O_RDWR, 0600);
    ::flock(lock, LOCK_EX);
    const auto complete = dir_ / ".complete";
    std::error_code ec;
    const auto made = std::filesystem::last_write_time(complete, ec);
    if (ec || std::filesystem::file_time_type::clock::now() - made > std::chrono::hours(24)) {
      std::filesystem::remove(complete, ec);
      make();
      std::ofstream{complete};
    }
    ::close(lock);  // releases the lock
  }
  void make() const {
    const std::string script = R"(set -e
key() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $1.key -out $1.csr -subj "$2"; }
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > client.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > server.ext
root() { key $1 "$2"; openssl x509 -req -in $1.csr -signkey $1.key -days 2 -extfile ca.ext -out $1.crt; }
sign() { key $1 "$2"; openssl x509 -req -in $1.csr -CA $3.crt -CAkey $3.key -CAcreateserial -days 2 -extfile $4.ext -out $1.crt; }
root ca /CN=kscale-test-ca
root front-proxy-ca /CN=front-proxy-ca
sign alice "/CN=alice/O=dev/O=ops" ca client
sign nameless "/O=dev" ca client
sign server-only /CN=server ca server
sign front-proxy-client /CN=front-proxy-client front-proxy-ca client
sign rogue /CN=rogue front-proxy-ca client
sign proxy-mid /CN=proxy-mid front-proxy-ca ca
sign front-proxy-via-mid /CN=front-proxy-client proxy-mid client
for c in *.crt; do openssl x509 -in $c -outform DER -out ${c%.crt}.der; done
)";
    std::ofstream(dir_ / "make.sh") << script;
    const std::string command = "cd '" + dir_.string() + "' && bash make.sh >make.log 2>&1";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("openssl failed: " + read("make.log"));
    }
  }
  std::string read(const std::string& file) const {
    std::ifstream in(dir_ / file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  std::filesystem::path dir_;
};

}  // namespace kscale::testing
