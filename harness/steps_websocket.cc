// The websocket step: open a named connection (to a Run service through its router, or a URL),
// send text or JSON frames, receive a number of frames or until one matches, close. The
// connection outlives the step, so a conversation spans steps (and a crash between them).
#include <algorithm>

#include "harness/steps.h"

namespace gcpsim::harness {
namespace {

// `send:` is one frame or a list of them; a string goes as text, anything else as JSON.
std::vector<std::string> frames_to_send(const Json& p) {
  std::vector<std::string> out;
  if (!p.contains("send")) return out;
  const Json& s = p["send"];
  auto one = [&](const Json& f) { out.push_back(f.is_string() ? f.get<std::string>() : f.dump()); };
  if (s.is_array()) {
    for (const auto& f : s) one(f);
  } else {
    one(s);
  }
  return out;
}

// A frame as expectations see it: parsed when it is JSON, else its text.
Json frame_json(const std::string& text) {
  auto parsed = Json::parse(text, nullptr, false);
  return parsed.is_discarded() ? Json(text) : parsed;
}

// What the step waits for: `receive: N` frames, or `until:` a frame matching a value.
Session::Stop stop_condition(const Json& p) {
  if (p.contains("until")) {
    Json want = p["until"];
    return [want](const std::string& f, size_t) {
      std::vector<Mismatch> ms;
      match(want, frame_json(f), "", ms);
      return ms.empty();
    };
  }
  if (p.contains("receive")) {
    auto n = static_cast<size_t>(std::max<int64_t>(0, int_param(p, "receive", 1)));
    if (n == 0) return nullptr;
    return [n](const std::string&, size_t i) { return i + 1 == n; };
  }
  return nullptr;
}

}  // namespace

void run_websocket(StepContext& ctx, const Json& p) {
  std::string name = text_param(p, "id", "ws");
  auto timeout = duration_param(p, "timeout", kStepTimeout);
  Json response = Json::object();
  bool opening = p.contains("service") || p.contains("url");
  if (opening) {
    if (ctx.session.ws_open_now(name)) throw StepError{"WebSocket '" + name + "' is already open; close it first"};
    Request req = http_request(ctx, p);
    req.method = "GET";
    auto res = ctx.session.ws_open(name, std::move(req), ctx.session.now() + timeout);
    if (!res.ok()) throw StepError{res.status().message()};
    if (res->status == 0) throw StepError{"no answer to the WebSocket handshake: " + res->error};
    response = response_json(*res);
    ctx.record["status"] = res->status;
    if (res->status != 101) {  // refused: the step's answer is the refusal, for expect: to judge
      ctx.response = response;
      if (ctx.step.expect.is_object() && ctx.step.expect.contains("status")) return;
      throw StepError{"the WebSocket handshake was answered " + std::to_string(res->status) + ", not 101",
                      "  body: " + show(response["body"], 400) + "\n"};
    }
  } else if (!ctx.session.ws_readable(name) && (p.contains("send") || p.contains("until") || p.contains("receive"))) {
    throw StepError{"WebSocket '" + name + "' is not open (give service or url to open it)"};
  }
  auto stop = stop_condition(p);
  bool close = bool_param(p, "close", false);
  std::optional<core::Duration> hold;
  if (p.contains("hold")) hold = duration_param(p, "hold", {});
  auto got = ctx.session.ws_exchange(name, frames_to_send(p), stop, close, ctx.session.now() + timeout, hold);
  if (!got.ok()) throw StepError{got.status().message()};
  Json messages = Json::array();
  for (const auto& f : got->frames) messages.push_back(frame_json(f));
  response["messages"] = messages;
  response["closed"] = got->closed;
  if (got->closed) response["close_code"] = got->close_code;
  ctx.response = response;
  ctx.record["frames"] = messages.size();
  if (got->closed) ctx.record["closed"] = got->close_code;
  // Waiting for a frame that never came fails the step, unless the scenario expects the end.
  bool expects_end = ctx.step.expect.is_object() && ctx.step.expect.contains("closed");
  if (stop && !got->stopped && !expects_end) {
    std::string what = p.contains("until") ? "no frame matching " + show(p["until"]) : "fewer than " + p["receive"].dump() + " frames";
    std::string bound = hold ? " in " + as_text(p["hold"]) + " of real time, the clock held" : " within the step's timeout";
    throw StepError{"WebSocket '" + name + "': " + what + (got->closed ? " before it closed" : bound),
                    "  received: " + show(messages, 600) + "\n"};
  }
}

}  // namespace gcpsim::harness
