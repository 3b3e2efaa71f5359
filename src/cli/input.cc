#include "cli/input.h"

#include <fstream>
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>

namespace kscale::cli {

void invalid(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  throw CLI::RuntimeError(2);
}

std::string read_input(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    invalid("cannot read " + path);
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    invalid("cannot write " + path);
  }
  out << text;
}

}  // namespace kscale::cli
