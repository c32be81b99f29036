// In-process delivery to hosts the edge serves by name; streamed answers are collected.
#include "net/local_client.h"

#include <cctype>
#include <memory>

#include "net/body_abort.h"
#include "net/target.h"

namespace gcpsim::net {
namespace {

constexpr std::string_view kLocalSuffix = ".stub.localhost";

std::string host_of(const std::string& url) {
  std::string_view rest = url;
  for (std::string_view scheme : {"http://", "https://"})
    if (rest.rfind(scheme, 0) == 0) rest.remove_prefix(scheme.size());
  return std::string(rest.substr(0, rest.find_first_of("/?#")));
}

// Gathers a streamed body, then answers.
class Collector final : public BodyWriter, public BodyAbort {
 public:
  Collector(OutboundResponse head, std::function<void(OutboundResponse)> done) : out_(std::move(head)), done_(std::move(done)) {}
  bool write(std::string chunk) override {
    out_.body += chunk;
    return true;
  }
  void end() override { finish(""); }
  void abort() override { finish("connection reset by peer"); }

 private:
  void finish(const std::string& error) {
    if (!done_) return;
    if (!error.empty()) {
      out_.status = 0;
      out_.error = error;
    }
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(out_));
  }
  OutboundResponse out_;
  std::function<void(OutboundResponse)> done_;
};

}  // namespace

bool served_locally(const std::string& url) {
  std::string host = host_of(url);
  host = host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':'));
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host.size() > kLocalSuffix.size() && host.compare(host.size() - kLocalSuffix.size(), kLocalSuffix.size(), kLocalSuffix) == 0;
}

void LocalHostsClient::send(OutboundRequest out, std::function<void(OutboundResponse)> done) {
  // Without an engine to post to (a harness with no threads) the outer client decides.
  if (!served_locally(out.url) || !post_) return outer_.send(std::move(out), std::move(done));
  auto req = std::make_shared<HttpRequest>();
  std::string host = host_of(out.url);
  std::string_view rest = out.url;
  rest.remove_prefix(rest.find(host) + host.size());
  req->method = out.method;
  set_target(*req, rest.empty() ? "/" : std::string(rest));
  req->headers = out.headers;
  req->headers.emplace_back("Host", host);
  req->body = std::move(out.body);
  req->body_size = req->body.size();
  ++queued_;
  post_([this, alive = std::weak_ptr<bool>(alive_), req, done = std::move(done)]() mutable {
    auto live = alive.lock();
    if (!live || !*live) return;  // the emulator was reset meanwhile: nobody waits for it
    --queued_;
    deliver(req, std::move(done));
  });
}

void LocalHostsClient::deliver(std::shared_ptr<HttpRequest> req, std::function<void(OutboundResponse)> done) {
  handle_(*req, [req, done = std::move(done)](HttpResponse res) {
    OutboundResponse r;
    if (res.status == 0) {
      r.error = "connection closed without a response";
      return done(std::move(r));
    }
    r.status = res.status;
    r.headers = res.headers;
    r.body = std::move(res.body);
    if (res.stream) return res.stream(std::make_shared<Collector>(std::move(r), done));
    done(std::move(r));
  });
}

}  // namespace gcpsim::net
