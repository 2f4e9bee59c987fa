// certform's program: builds the real clock, filesystem, randomness and environment lookup, and
// hands them to the command table. Nothing else in certform touches these globals. main() installs
// the product table first (a test build may add a row to it).
#pragma once

namespace certform::cli {

int Main(int argc, char** argv);

}  // namespace certform::cli
