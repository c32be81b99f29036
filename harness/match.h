// Expected-vs-actual matching: a JSON subset with matcher objects ({any: true},
// {regex: "…"}, {gt/gte/lt/lte: n}, {contains: x}, {absent: true}), and the readable
// diff a failure prints.
#pragma once
#include <string>
#include <vector>

#include "harness/scenario.h"

namespace gcpsim::harness {

// One difference, at a path a user can read: "json.items[2].title", "status".
struct Mismatch {
  std::string path;
  std::string expected;  // as the scenario wrote it ("200", "\"ok\"", "matching /^a/")
  std::string actual;    // what was there ("404", "missing")
};

// True when j is an object made only of matcher keys.
bool is_matcher(const Json& j);

// Subset match: objects need the expected keys (extra actual keys are fine), arrays need
// the same length with each element matching, scalars compare equal (numbers by value).
// `actual` null with `present` false means the value is missing.
void match(const Json& expected, const Json& actual, bool present, const std::string& path,
           std::vector<Mismatch>& out);
inline void match(const Json& expected, const Json& actual, const std::string& path, std::vector<Mismatch>& out) {
  match(expected, actual, true, path, out);
}

// "expected status 200, got 404": the headline of a failure.
std::string headline(const Mismatch& m);
// One line per mismatch, indented: "  json.title: expected "a", got "b"".
std::string render_diff(const std::vector<Mismatch>& ms);
// A compact rendering of a value for messages, cut at `limit` characters.
std::string show(const Json& j, size_t limit = 120);

}  // namespace gcpsim::harness
