// Where an engine-sent request's answer goes: collected whole for in-process callers, or
// passed to the edge connection (streamed when the instance streams).
#include <strings.h>

#include "services/run/responses.h"
#include "services/run/revision.h"

namespace gcpsim::services::run {
namespace {

// Headers the edge server sets itself (framing) are not copied from the instance.
net::Headers end_to_end(net::Headers headers) {
  std::erase_if(headers, [](const auto& kv) {
    for (const char* h : {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive"})
      if (strcasecmp(kv.first.c_str(), h) == 0) return true;
    return false;
  });
  return headers;
}

class Collect final : public FetchConsumer {
 public:
  explicit Collect(std::function<void(net::OutboundResponse)> done) : done_(std::move(done)) {}
  void respond(net::HttpResponse r) override {
    out_.status = r.status;
    out_.headers = std::move(r.headers);
    out_.body = std::move(r.body);
    finish();
  }
  void head(int status, net::Headers headers, bool) override {
    out_.status = status;
    out_.headers = std::move(headers);
  }
  void data(std::string chunk) override { out_.body += chunk; }
  void end(bool ok) override {
    if (!ok) {
      out_ = net::OutboundResponse{};
      out_.error = "the instance failed while answering";
    }
    finish();
  }

 private:
  void finish() {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(out_));
  }
  std::function<void(net::OutboundResponse)> done_;
  net::OutboundResponse out_;
};

class EdgeReply final : public FetchConsumer, public std::enable_shared_from_this<EdgeReply> {
 public:
  explicit EdgeReply(net::Reply reply) : reply_(std::move(reply)) {}
  void respond(net::HttpResponse r) override { send(std::move(r)); }
  void head(int status, net::Headers headers, bool streaming) override {
    response_.status = status;
    response_.headers = end_to_end(std::move(headers));
    streaming_ = streaming;
    if (!streaming) return;
    response_.stream = [self = shared_from_this()](std::shared_ptr<net::BodyWriter> writer) {
      self->writer_ = std::move(writer);
      for (auto& c : self->pending_) self->writer_->write(std::move(c));
      self->pending_.clear();
      if (self->ended_) self->writer_->end();
    };
    send(std::move(response_));
  }
  void data(std::string chunk) override {
    if (!streaming_) {
      response_.body += chunk;
    } else if (writer_) {
      writer_->write(std::move(chunk));
    } else {
      pending_.push_back(std::move(chunk));
    }
  }
  void end(bool ok) override {
    if (!streaming_) return send(ok ? std::move(response_) : responses::upstream_failed());
    ended_ = true;
    if (writer_) writer_->end();
  }

 private:
  void send(net::HttpResponse r) {
    if (replied_) return;
    replied_ = true;
    reply_(std::move(r));
  }
  net::Reply reply_;
  net::HttpResponse response_;
  bool replied_ = false, streaming_ = false, ended_ = false;
  std::shared_ptr<net::BodyWriter> writer_;
  std::vector<std::string> pending_;
};

}  // namespace

std::shared_ptr<FetchConsumer> collect_response(std::function<void(net::OutboundResponse)> done) {
  return std::make_shared<Collect>(std::move(done));
}

std::shared_ptr<FetchConsumer> edge_response(net::Reply reply) { return std::make_shared<EdgeReply>(std::move(reply)); }

}  // namespace gcpsim::services::run
