// The per-instance metadata view (see metadata.h), in the metadata server's formats: text
// values, directory listings with '/' after sub-directories, ?recursive=true as JSON.
#include "services/compute/metadata.h"

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "services/compute/group.h"

namespace gcpsim::services::compute {
namespace {

constexpr std::string_view kPrefix = "/computeMetadata/v1/";

net::HttpResponse text(std::string body) {
  return net::HttpResponse::text(200, std::move(body), "application/text").header("Metadata-Flavor", "Google");
}

net::HttpResponse not_found() {
  return net::HttpResponse::text(404, "Not Found\n", "text/html; charset=UTF-8").header("Metadata-Flavor", "Google");
}

// attributes/ as a listing, or as JSON with ?recursive=true.
net::HttpResponse attributes(const std::map<std::string, std::string>& attrs, const std::string& query) {
  if (query.find("recursive=true") != std::string::npos) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : attrs) j[k] = v;
    return net::HttpResponse::json(200, j.dump()).header("Metadata-Flavor", "Google");
  }
  std::string listing;
  for (const auto& [k, v] : attrs) listing += k + "\n";
  return text(listing);
}

std::optional<net::HttpResponse> attribute(const std::map<std::string, std::string>& attrs, const std::string& rest,
                                           const std::string& query) {
  if (rest.empty()) return attributes(attrs, query);
  auto it = attrs.find(rest);
  if (it == attrs.end()) return not_found();
  return text(it->second);
}

}  // namespace

MetadataView::MetadataView(core::Env& env, uint32_t address, Lookup lookup, const std::map<std::string, std::string>& project)
    : env_(env), address_(address), lookup_(std::move(lookup)), project_(project) {}

std::optional<net::HttpResponse> MetadataView::answer(const InstanceIdentity& who, const std::string& path,
                                                      const std::string& query) const {
  std::string p = path.substr(kPrefix.size());
  std::string zone = "projects/" + env_.project_number + "/zones/" + who.zone;
  std::string ip = address_text(who.address);
  if (p == "instance/name") return text(who.name);
  if (p == "instance/id") return text(std::to_string(who.id));
  if (p == "instance/zone") return text(zone);
  if (p == "instance/hostname") return text(who.name + "." + who.zone + ".c." + env_.project + ".internal");
  if (p == "instance/network-interfaces/0/ip") return text(ip);
  if (p == "instance/network-interfaces/") return text("0/\n");
  if (p == "instance/network-interfaces/0/") return text("ip\nnetwork\n");
  if (p == "instance/network-interfaces/0/network") return text("projects/" + env_.project_number + "/networks/default");
  if (p.rfind("instance/attributes/", 0) == 0 && who.attributes)
    return attribute(*who.attributes, p.substr(20), query);
  if (p.rfind("project/attributes/", 0) == 0) return attribute(project_, p.substr(19), query);
  return std::nullopt;
}

void MetadataView::admit(run::Arrival arrival, std::function<void(run::Decision)> decide) {
  run::Decision d;
  std::string path = arrival.target.substr(0, arrival.target.find('?'));
  std::string query = arrival.target.size() > path.size() ? arrival.target.substr(path.size() + 1) : "";
  auto who = lookup_(address_);
  if (who && path.rfind(kPrefix, 0) == 0) {
    if (net::find_header(arrival.headers, "Metadata-Flavor").value_or("") != "Google") {
      d.response = net::HttpResponse::text(403, "Missing required header \"Metadata-Flavor\": \"Google\"\n")
                       .header("Metadata-Flavor", "Google");
      return decide(std::move(d));
    }
    if (auto r = answer(*who, path, query)) {
      d.response = std::move(*r);
      return decide(std::move(d));
    }
  }
  // The rest of the metadata server (project, service accounts and their tokens) is gcpsim's.
  d.kind = run::Decision::Kind::kForward;
  d.ticket = next_ticket_++;
  d.port = env_.edge_port;
  decide(std::move(d));
}

}  // namespace gcpsim::services::compute
