// GoogleSQL tokens: identifiers (backticked ones may hold dots), literals, parameters,
// operators, with the line and column each starts at for error messages.
#pragma once
#include <string>
#include <vector>

#include "core/status.h"

namespace gcpsim::services::bigquery::sql {

enum class Tok { kIdent, kQuoted, kString, kBytes, kInt, kFloat, kParam, kPositional, kOp, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;   // identifier / operator as written; literal's value
  int line = 1, col = 1;
  bool is(const char* kw) const;  // keyword or operator, case-insensitive for words
};

core::StatusOr<std::vector<Token>> lex(const std::string& sql);

}  // namespace gcpsim::services::bigquery::sql
