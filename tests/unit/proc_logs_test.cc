// Specification of how instance output becomes log events: Cloud Logging's structured JSON
// lines and plain text lines.
#include <catch2/catch.hpp>

#include "proc/logs.h"
#include "proc/spawn.h"

namespace proc_logs_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::proc;

namespace {
std::string str(const core::Attrs& a, const std::string& k) {
  auto it = a.find(k);
  return it == a.end() ? "<none>" : std::get<std::string>(it->second);
}
}  // namespace

TEST_CASE("a plain line is a text payload with no severity") {
  auto a = parse_log_line("listening on 8080\n", Stream::kStdout);
  REQUIRE(str(a, "message") == "listening on 8080");
  REQUIRE(str(a, "severity") == "DEFAULT");
  REQUIRE(str(a, "stream") == "stdout");
  REQUIRE(a.count("jsonPayload") == 0);
  REQUIRE(str(parse_log_line("oops", Stream::kStderr), "stream") == "stderr");
}

TEST_CASE("a JSON line is a structured log: severity, message, trace, labels, httpRequest") {
  auto a = parse_log_line(
      R"({"severity":"warning","message":"slow query","logging.googleapis.com/trace":"projects/p/traces/abc",)"
      R"("logging.googleapis.com/spanId":"000000000000004a","logging.googleapis.com/trace_sampled":true,)"
      R"("logging.googleapis.com/labels":{"tenant":"t1"},"httpRequest":{"requestMethod":"GET","status":200},)"
      R"("component":"db","ms":1200})",
      Stream::kStdout);
  REQUIRE(str(a, "severity") == "WARNING");
  REQUIRE(str(a, "message") == "slow query");
  REQUIRE(str(a, "trace") == "projects/p/traces/abc");
  REQUIRE(str(a, "spanId") == "000000000000004a");
  REQUIRE(std::get<bool>(a.at("traceSampled")));
  REQUIRE(str(a, "labels.tenant") == "t1");
  REQUIRE(str(a, "httpRequest.requestMethod") == "GET");
  REQUIRE(std::get<int64_t>(a.at("httpRequest.status")) == 200);
  REQUIRE(str(a, "jsonPayload") == R"({"component":"db","ms":1200})");
}

TEST_CASE("severities are normalized as Cloud Logging reads them") {
  REQUIRE(normalize_severity("error") == "ERROR");
  REQUIRE(normalize_severity("WARN") == "WARNING");
  REQUIRE(normalize_severity("fatal") == "CRITICAL");
  REQUIRE(normalize_severity("verbose") == "DEFAULT");
  REQUIRE(str(parse_log_line(R"({"severity":500,"message":"x"})", Stream::kStdout), "severity") == "ERROR");
}

TEST_CASE("JSON that is not an object, or is broken, stays text") {
  REQUIRE(str(parse_log_line("[1,2]", Stream::kStdout), "message") == "[1,2]");
  REQUIRE(str(parse_log_line("{not json", Stream::kStdout), "message") == "{not json");
  REQUIRE(str(parse_log_line("{\"message\":\"ok\"}\r", Stream::kStdout), "message") == "ok");
}

TEST_CASE("${PORT} in a command is replaced by the instance's port") {
  auto argv = expand_port({"uvicorn", "main:app", "--port", "${PORT}", "--x=${PORT}${PORT}"}, 9001);
  REQUIRE(argv == std::vector<std::string>{"uvicorn", "main:app", "--port", "9001", "--x=90019001"});
}

}  // namespace proc_logs_test
