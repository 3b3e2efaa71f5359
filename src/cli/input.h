#pragma once
// What the one-shot subcommands (replicas, simulate, divide, autoscale) share: reading their
// input files, writing their output, and exiting 2 with a message on invalid input, as kubectl does.

#include <string>

namespace kscale::cli {

/// Prints "error: <message>" to stderr and ends the command with exit code 2.
[[noreturn]] void invalid(const std::string& message);

/// The whole file at `path`, or standard input for "-"; invalid() when it cannot be read.
std::string read_input(const std::string& path);

/// Writes `text` to `path`, or to standard output for "" or "-"; invalid() when it cannot.
void write_output(const std::string& path, const std::string& text);

}  // namespace kscale::cli
