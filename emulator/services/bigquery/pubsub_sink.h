// BigQuery subscriptions' sink: connects Pub/Sub's BigQuery subscriptions to the warehouse.
#pragma once

namespace gcpsim::services::pubsub { class PubsubService; }

namespace gcpsim::services::bigquery {

class Warehouse;
// From now on, Pub/Sub checks BigQuery subscriptions' tables here and writes their rows.
void attach_pubsub_sink(Warehouse& warehouse, services::pubsub::PubsubService& pubsub);

}  // namespace gcpsim::services::bigquery
