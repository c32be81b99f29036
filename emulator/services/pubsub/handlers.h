// Registration of every google.pubsub.v1 RPC into the method table, one file per service:
// publisher.cc, subscriber.cc, streaming_pull.cc, schema_handlers.cc.
#pragma once

namespace gcpsim::net { class MethodTable; }

namespace gcpsim::services::pubsub {

class PubsubService;

void register_publisher(net::MethodTable& methods, PubsubService& service);
void register_subscriber(net::MethodTable& methods, PubsubService& service);
void register_schema_service(net::MethodTable& methods, PubsubService& service);

}  // namespace gcpsim::services::pubsub
