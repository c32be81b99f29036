// pubsub-latency: gcpsim's own publish→receive latency at a steady rate, measured by a
// lean C++ gRPC client, so that the figure is the server's rather than a Node client's
// garbage collector (bench/pubsub.js measures through the official Node client).
//
//   PUBSUB_EMULATOR_HOST=127.0.0.1:8085 build/bench/pubsub-latency [--rate 1000] [--seconds 10]
//   PUBSUB_EMULATOR_HOST=127.0.0.1:8085 build/bench/pubsub-latency --throughput 200000 [--batch 100]
//     [--publishers 4]
//
// Latency (the default): one thread publishes one 1 KiB message per Publish call at RATE
// msgs/s, stamping each with the monotonic clock; another holds a StreamingPull stream, acks
// what it receives and records receive − stamp. Prints p50/p90/p99/max in milliseconds.
// Throughput: publishes N messages as fast as it can, BATCH per Publish call from PUBLISHERS
// threads (one call in flight each), while the StreamingPull stream receives and acks them;
// prints publish→receive msgs/s and the client's own CPU time, so a caller can tell whether
// the client or the server was the bound.
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/sync_stream.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <vector>

#include "google/pubsub/v1/pubsub.pb.h"

namespace {

namespace v1 = google::pubsub::v1;
using Mono = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Mono::now().time_since_epoch()).count();
}

template <class Req, class Resp>
bool unary(grpc::Channel& ch, const char* method, const Req& req, Resp* resp) {
  grpc::ClientContext ctx;
  grpc::internal::RpcMethod m(method, grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::Status st = grpc::internal::BlockingUnaryCall(&ch, m, &ctx, req, resp);
  if (!st.ok()) std::fprintf(stderr, "%s: %s\n", method, st.error_message().c_str());
  return st.ok();
}

double arg(int argc, char** argv, const char* name, double dflt) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atof(argv[i + 1]);
  return dflt;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const char* host = std::getenv("PUBSUB_EMULATOR_HOST");
  if (!host) {
    std::fprintf(stderr, "set PUBSUB_EMULATOR_HOST\n");
    return 2;
  }
  const double rate = arg(argc, argv, "--rate", 1000);
  const double seconds = arg(argc, argv, "--seconds", 10);
  const auto throughput = static_cast<size_t>(arg(argc, argv, "--throughput", 0));
  const auto batch = std::max<size_t>(1, static_cast<size_t>(arg(argc, argv, "--batch", 100)));
  const auto publishers_n = std::max<size_t>(1, static_cast<size_t>(arg(argc, argv, "--publishers", 4)));
  const auto total = throughput ? throughput : static_cast<size_t>(rate * seconds);
  auto ch = grpc::CreateChannel(host, grpc::InsecureChannelCredentials());

  const std::string id = "latency-" + std::to_string(now_ns() % 1000000);
  v1::Topic topic;
  topic.set_name("projects/bench-project/topics/" + id);
  v1::Subscription sub;
  sub.set_name("projects/bench-project/subscriptions/" + id);
  sub.set_topic(topic.name());
  sub.set_ack_deadline_seconds(60);
  if (!unary(*ch, "/google.pubsub.v1.Publisher/CreateTopic", topic, &topic) ||
      !unary(*ch, "/google.pubsub.v1.Subscriber/CreateSubscription", sub, &sub))
    return 1;

  grpc::ClientContext stream_ctx;
  grpc::internal::RpcMethod pull("/google.pubsub.v1.Subscriber/StreamingPull",
                                 grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<v1::StreamingPullRequest, v1::StreamingPullResponse>> stream(
      grpc::internal::ClientReaderWriterFactory<v1::StreamingPullRequest, v1::StreamingPullResponse>::Create(
          ch.get(), pull, &stream_ctx));
  v1::StreamingPullRequest open;
  open.set_subscription(sub.name());
  open.set_stream_ack_deadline_seconds(60);
  stream->Write(open);

  std::vector<double> latencies;
  latencies.reserve(total);
  size_t received = 0;
  int64_t last_received = 0;
  std::thread receiver([&] {
    v1::StreamingPullResponse resp;
    while (received < total && stream->Read(&resp)) {
      const int64_t t = now_ns();
      received += static_cast<size_t>(resp.received_messages_size());
      last_received = t;
      v1::StreamingPullRequest acks;
      for (const auto& m : resp.received_messages()) {
        acks.add_ack_ids(m.ack_id());
        const auto& attrs = m.message().attributes();
        auto ts = attrs.find("ts");
        if (ts != attrs.end()) latencies.push_back((t - std::stoll(ts->second)) / 1e6);
      }
      stream->Write(acks);
    }
  });

  const std::string payload(1024, 'x');
  const int64_t start = now_ns();
  if (throughput) {
    const double cpu0 = cpu_seconds();
    // PUBLISHERS threads, each with one Publish call in flight, share the N messages.
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::vector<std::thread> publishers;
    for (size_t p = 0; p < publishers_n; ++p) {
      publishers.emplace_back([&] {
        for (;;) {
          const size_t from = next.fetch_add(batch);
          if (from >= total || failed) return;
          v1::PublishRequest req;
          req.set_topic(topic.name());
          for (size_t k = from; k < std::min(total, from + batch); ++k) req.add_messages()->set_data(payload);
          v1::PublishResponse resp;
          if (!unary(*ch, "/google.pubsub.v1.Publisher/Publish", req, &resp)) failed = true;
        }
      });
    }
    for (auto& t : publishers) t.join();
    if (failed) {
      stream_ctx.TryCancel();
      receiver.join();
      return 1;
    }
    receiver.join();
    stream_ctx.TryCancel();
    const double wall = (last_received - start) / 1e9;
    std::printf("pubsub-throughput %zu msgs of 1 KiB, %zu per Publish, %zu publishers, StreamingPull: "
                "publish→receive %.0f msgs/s (%.2f s), client CPU %.2f s\n",
                received, batch, publishers_n, received / wall, wall, cpu_seconds() - cpu0);
    return 0;
  }
  for (size_t sent = 0; sent < total;) {
    const auto due = std::min(total, static_cast<size_t>((now_ns() - start) / 1e9 * rate) + 1);
    for (; sent < due; ++sent) {
      v1::PublishRequest req;
      req.set_topic(topic.name());
      auto* m = req.add_messages();
      m->set_data(payload);
      (*m->mutable_attributes())["ts"] = std::to_string(now_ns());
      v1::PublishResponse resp;
      if (!unary(*ch, "/google.pubsub.v1.Publisher/Publish", req, &resp)) return 1;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  receiver.join();
  stream_ctx.TryCancel();

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))]; };
  std::printf("pubsub-latency %zu msgs at %.0f msgs/s, one per Publish, StreamingPull: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              latencies.size(), rate, pct(0.5), pct(0.9), pct(0.99), latencies.back());
  return 0;
}
