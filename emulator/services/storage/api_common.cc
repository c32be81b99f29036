// Request parameters, JSON answers and error answers shared by the storage handlers.
#include <cerrno>
#include <cstdio>

#include "core/env.h"
#include "services/storage/api.h"
#include "services/storage/errors.h"
#include "services/storage/fields.h"

namespace gcpsim::services::storage {

Api::Api(core::Env& env, Storage& storage, Uploads& uploads) : env_(env), storage_(storage), uploads_(uploads) {}

Links links_of(const HttpRequest& req, const core::Env& env) {
  auto host = req.header("Host").value_or("127.0.0.1");
  return Links{"http://" + host, env.project_number};
}

core::StatusOr<std::optional<int64_t>> int_param(const HttpRequest& req, const std::string& name) {
  auto v = req.query_param(name);
  if (!v) return std::optional<int64_t>();
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno == ERANGE)
    return errors::invalid("Invalid argument for parameter " + name + ": " + *v);
  return std::optional<int64_t>(n);
}

bool bool_param(const HttpRequest& req, const std::string& name) {
  auto v = req.query_param(name);
  return v && (*v == "true" || *v == "True" || *v == "1");
}

// ifGenerationMatch, …; infix "Source" reads ifSourceGenerationMatch, ….
core::StatusOr<Preconditions> preconditions_of(const HttpRequest& req, const std::string& infix) {
  Preconditions p;
  ASSIGN_OR_RETURN(p.generation_match, int_param(req, "if" + infix + "GenerationMatch"));
  ASSIGN_OR_RETURN(p.generation_not_match, int_param(req, "if" + infix + "GenerationNotMatch"));
  ASSIGN_OR_RETURN(p.metageneration_match, int_param(req, "if" + infix + "MetagenerationMatch"));
  ASSIGN_OR_RETURN(p.metageneration_not_match, int_param(req, "if" + infix + "MetagenerationNotMatch"));
  return p;
}

Answer json_answer(const HttpRequest& req, const Json& body, int status) {
  Json out = body;
  if (auto fields = req.query_param("fields"); fields && !fields->empty()) {
    ASSIGN_OR_RETURN(out, select_fields(body, *fields));
  }
  return HttpResponse::json(status, out.dump(-1, ' ', false, Json::error_handler_t::replace));
}

HttpResponse empty_answer(int status) {
  HttpResponse r;
  r.status = status;
  return r;
}

HttpResponse error_answer(const core::Status& s) {
  int status = errors::http_status(s);
  if (status == 304) return empty_answer(304);
  return HttpResponse::json(status, errors::json_body(s));
}

std::string http_date(core::Time t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto days = floor<std::chrono::days>(secs);
  year_month_day ymd{days};
  hh_mm_ss hms{secs - days};
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", kDays[weekday{days}.c_encoding()],
                unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1], int(ymd.year()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return buf;
}

}  // namespace gcpsim::services::storage
