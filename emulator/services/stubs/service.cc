// Serving a stub request: record it, apply the `stub` boundary's fault rules, answer from
// the routes (delays and streams on the virtual clock) or the built-in API, and record the
// stub.request event with credentials masked.
#include "services/stubs/service.h"

#include <filesystem>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/stack.h"
#include "core/text.h"
#include "net/body_abort.h"

namespace gcpsim::services::stubs {
namespace {

constexpr std::string_view kHostSuffix = ".stub.localhost";
constexpr size_t kMaxBodyAttr = 4096;
constexpr core::Duration kDefaultTimeout = std::chrono::seconds(30);

using core::lower;

// Credentials never reach events: Authorization keeps its scheme, API-key headers nothing.
bool secret_header(const std::string& name) {
  return name == "authorization" || name == "proxy-authorization" || name == "cookie" || name == "api-key" ||
         name.find("api-key") != std::string::npos || name.find("apikey") != std::string::npos ||
         name.find("token") != std::string::npos;
}

std::string masked(const std::string& name, const std::string& value) {
  if (!secret_header(name)) return value;
  auto space = value.find(' ');
  if (name.find("authorization") != std::string::npos && space != std::string::npos) return value.substr(0, space) + " ***";
  return "***";
}

Incoming incoming(const net::HttpRequest& req) {
  Incoming in;
  in.method = req.method;
  in.path = net::percent_decode(req.path);
  in.query = req.query;
  for (const auto& [k, v] : req.headers) in.headers.emplace_back(lower(k), v);
  in.body = req.body;
  if (!in.body.empty()) {
    auto parsed = Json::parse(in.body, nullptr, false);
    if (!parsed.is_discarded()) in.json = std::move(parsed);
  }
  return in;
}

Json request_json(const Incoming& in) {
  Json headers = Json::object(), query = Json::object();
  for (const auto& [k, v] : in.headers) headers[k] = v;
  for (const auto& [k, v] : in.query) query[k] = v;
  return {{"method", in.method}, {"path", in.path}, {"query", query}, {"headers", headers}, {"body", in.body}};
}

net::HttpResponse near_miss(const Stub& stub, const Incoming& in, Json near) {
  Json body = {{"error",
                {{"code", 404}, {"status", "NOT_FOUND"},
                 {"message", "No route of stub '" + stub.name + "' matched " + in.method + " " + in.path}}},
               {"request", request_json(in)},
               {"nearest", std::move(near)}};
  return net::HttpResponse::json(404, body.dump(2));
}

// An injected error in the stub's own shape: OpenAI's for the built-in API, else Google's.
net::HttpResponse fault_error(const Stub& stub, const core::FaultAction& a, const core::FaultSubject& subject) {
  core::Status s = core::Faults::to_status(a, subject);
  int status = a.http_status ? a.http_status : core::http_status(s.code());
  if (stub.openai) {
    auto e = openai::error_for(s.code(), a.message, a.retry_delay);
    auto r = net::HttpResponse::json(status, e.body().dump());
    return r;
  }
  return net::HttpResponse::json(status, s.json_error_body());
}

struct StreamJob {
  core::Env& env;
  std::shared_ptr<net::BodyWriter> writer;
  Stream stream;
  std::optional<size_t> cut_at;
};

std::string framed(const Json& chunk, bool sse) {
  std::string text = chunk.is_string() ? chunk.get<std::string>() : chunk.dump();
  return sse ? "data: " + text + "\n\n" : text;
}

void pump(std::shared_ptr<StreamJob> job, size_t i) {
  if (job->cut_at && i >= *job->cut_at) {
    if (auto* a = dynamic_cast<net::BodyAbort*>(job->writer.get())) return a->abort();
    return job->writer->end();
  }
  if (i >= job->stream.chunks.size()) return job->writer->end();
  if (!job->writer->write(framed(job->stream.chunks[i], job->stream.sse))) {
    // The client hung up: the rest of the stream is never generated (a model stops too).
    job->env.events.record("stub.hangup", job->stream.stub,
                           {{"sent", int64_t(i)}, {"chunks", int64_t(job->stream.chunks.size())}});
    return;
  }
  if (job->cut_at && i + 1 >= *job->cut_at) return pump(job, i + 1);  // cut right after the last chunk sent
  if (job->stream.every > core::Duration::zero() && i + 1 < job->stream.chunks.size()) {
    job->env.clock.schedule_in(job->stream.every, [job, i] { pump(job, i + 1); });
  } else {
    pump(job, i + 1);
  }
}

}  // namespace

std::optional<std::string> stub_for_host(const std::string& host) {
  std::string h = lower(host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':')));
  if (h.size() <= kHostSuffix.size() || h.compare(h.size() - kHostSuffix.size(), kHostSuffix.size(), kHostSuffix) != 0)
    return std::nullopt;
  return h.substr(0, h.size() - kHostSuffix.size());
}

net::HttpResponse stream_response(core::Env& env, int status, net::Headers headers, Stream stream,
                                  std::optional<size_t> cut_at) {
  net::HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.stream_on_clock = stream.every > core::Duration::zero();
  r.stream = [&env, stream = std::move(stream), cut_at](std::shared_ptr<net::BodyWriter> w) {
    pump(std::make_shared<StreamJob>(StreamJob{env, std::move(w), stream, cut_at}), 0);
  };
  return r;
}

std::unique_ptr<Service> StubsService::create(Context& ctx) {
  std::unique_ptr<StubsService> svc(new StubsService(ctx, ctx.stack.section_or_empty<StubsConfig>("stubs")));
  svc->add_routes(ctx.router);
  return svc;
}

StubsService::StubsService(Context& ctx, const StubsConfig& config)
    : env_(ctx.env), stubs_(ctx.env.ids.seed(), config) {}

bool StubsService::take(net::HttpRequest& req, net::Reply& reply) {
  auto host = req.header("Host");
  auto name = host ? stub_for_host(*host) : std::nullopt;
  if (!name) return false;
  if (Stub* stub = stubs_.find(*name)) {
    serve(*stub, req, std::move(reply));
    return true;
  }
  reply(net::HttpResponse::error(core::Status::not_found(
      "no stub '" + *name + "' is declared (stack file stubs: or POST /_gcpsim/stubs)")));
  return true;
}

void StubsService::serve(Stub& stub, net::HttpRequest& req, net::Reply reply) {
  Incoming in = incoming(req);
  uint64_t seq = stubs_.record(stub, in, env_.clock.now()).seq;
  // Stub requests meet the fault table at the `stub` boundary: service = the stub's name,
  // method stub.request, target = the path.
  core::FaultSubject subject{core::Boundary::kStub, stub.name, "stub.request", in.path};
  auto fault = env_.faults.check(subject);
  core::Attrs attrs = {{"method", in.method}, {"path", in.path}, {"seq", static_cast<int64_t>(seq)}};
  Json headers = Json::object();
  for (const auto& [k, v] : in.headers) headers[k] = masked(k, v);
  attrs["headers"] = headers.dump();
  if (!in.body.empty()) attrs["body"] = in.body.substr(0, kMaxBodyAttr);
  if (fault) attrs["fault"] = std::string(core::action_kind_name(fault->kind));
  // Once the answer is known: the recorded request gets its status and route, the event is
  // written, and the client gets the response.
  auto finish = [this, alive = std::weak_ptr<int>(alive_), name = stub.name, seq, attrs,
                 reply = std::move(reply)](net::HttpResponse res, std::string route) mutable {
    if (alive.lock()) {
      if (Stub* s = stubs_.find(name)) {
        for (auto& r : s->received)
          if (r.seq == seq) r.route = route, r.status = res.status;
      }
      attrs["status"] = static_cast<int64_t>(res.status);
      if (!route.empty()) attrs["route"] = route;
      env_.events.record("stub.request", name, std::move(attrs));
    }
    reply(std::move(res));
  };
  using K = core::FaultAction::Kind;
  if (!fault) return answer(stub, in, fault, std::move(finish));
  switch (fault->kind) {
    case K::kError: {
      auto res = fault_error(stub, *fault, subject);
      if (fault->delay <= core::Duration::zero()) return finish(std::move(res), "");
      env_.clock.schedule_in(fault->delay, [finish = std::move(finish), res = std::move(res)]() mutable { finish(std::move(res), ""); });
      return;
    }
    case K::kDrop:
    case K::kOutage: {
      net::HttpResponse none;
      none.status = 0;
      return finish(std::move(none), "");
    }
    case K::kTimeout:
      env_.clock.schedule_in(fault->delay > core::Duration::zero() ? fault->delay : kDefaultTimeout,
                             [finish = std::move(finish)]() mutable {
                               net::HttpResponse none;
                               none.status = 0;
                               finish(std::move(none), "");
                             });
      return;
    case K::kDelay:
    case K::kCrash: break;
  }
  answer(stub, in, fault, std::move(finish));
}

void StubsService::answer(Stub& stub, const Incoming& in, std::optional<core::FaultAction> fault,
                          std::function<void(net::HttpResponse, std::string)> finish) {
  const bool crash = fault && fault->kind == core::FaultAction::Kind::kCrash;
  core::Duration extra = fault ? fault->delay : core::Duration{};
  Json near;
  auto decided = stubs_.decide(stub, in, env_.clock.now(), near);
  if (!decided && stub.openai) {
    auto delayed = [&env = env_, extra, crash, finish](net::HttpResponse res) {
      if (crash && !res.stream) res.status = 0;
      if (extra <= core::Duration::zero()) return finish(std::move(res), "");
      env.clock.schedule_in(extra, [finish, res = std::move(res)]() mutable { finish(std::move(res), ""); });
    };
    return serve_openai(env_, stub, in, crash, std::move(delayed));
  }
  if (!decided) return finish(near_miss(stub, in, std::move(near)), "");
  Answer a = std::move(*decided);
  net::HttpResponse res;
  if (a.stream) {
    std::optional<size_t> cut;
    if (crash) cut = a.stream->chunks.size() / 2;
    a.stream->stub = stub.name;
    res = stream_response(env_, a.status, a.headers, std::move(*a.stream), cut);
  } else if (crash) {
    res.status = 0;
  } else if (!a.file.empty()) {
    std::error_code ec;
    auto size = std::filesystem::file_size(a.file, ec);
    if (ec) {
      res = net::HttpResponse::text(500, "stub reply file " + a.file + " cannot be read: " + ec.message());
    } else {
      res.status = a.status;
      res.headers = a.headers;
      res.file = net::FileSlice{a.file, 0, size};
    }
  } else {
    res.status = a.status;
    res.headers = a.headers;
    res.body = std::move(a.body);
  }
  core::Duration delay = a.delay + extra;
  if (delay <= core::Duration::zero()) return finish(std::move(res), a.route);
  env_.clock.schedule_in(delay, [finish, res = std::move(res), route = a.route]() mutable { finish(std::move(res), route); });
}

}  // namespace gcpsim::services::stubs
