/* gst-resilient: what discovery servers and status callbacks tell the
 * cluster resolver, parsed and checked.
 *
 * Endpoint discovery (the Ceeblue failover-service seed): a GET answers one
 * JSON object naming the best endpoint for a stream, as
 * `connection.signallingUri`, or as a top-level `uri` / `url`; an optional
 * `ttl` (seconds) says how long the answer holds.
 *
 * Content steering (HLS / DASH style): a JSON object with `VERSION` (1),
 * `TTL` (seconds), `PATHWAY-PRIORITY` (array of pathway ids, best first),
 * optional `RELOAD-URI` and `PATHWAY-CLONES` (objects with `BASE-ID`, `ID`
 * and `URI-REPLACEMENT.HOST`, which copy a pathway's URL with another host
 * name). Pathway ids name hosts: an id matches a configured host whose
 * authority (host[:port]) or whole base URL equals it, or is defined
 * directly by our extension `PATHWAY-URIS` (object: id -> base URL).
 *
 * Status callbacks (the seed's `/callbacks/<alias>`): a JSON object with the
 * status as `status`, `state` or `event` (online/up/started/live/available
 * versus offline/down/stopped/ended/unavailable, case-insensitive, a
 * trailing word after '.' or '_' counts, e.g. "stream.offline") or as a
 * boolean `online`. The stream comes from the URL alias or from `alias` /
 * `stream`; `host` (base URL or configured index) narrows it to one host,
 * and a report with a host and no stream is about the whole host.
 */
#pragma once

#include "resilient/cluster/json.h"
#include "resilient/cluster/resolver.h"

#include <optional>
#include <string>
#include <vector>

namespace resilient::cluster {

struct EndpointAnswer
{
  std::string url;
  std::optional<Duration> ttl;
};

struct PathwayClone
{
  std::string base_id;
  std::string id;
  std::string host; /* URI-REPLACEMENT.HOST */
};

struct SteeringManifest
{
  int version = 1;
  Duration ttl = std::chrono::seconds (300);
  std::string reload_uri;
  std::vector<std::string> priority;
  std::map<std::string, std::string> pathway_uris;
  std::vector<PathwayClone> clones;
};

struct DiscoveryAnswer
{
  std::optional<EndpointAnswer> endpoint;
  std::optional<SteeringManifest> steering;
};

/* Parses a discovery answer, deciding by content which kind it is. Returns
 * nullopt with `error` set ("not JSON", "no endpoint", ...) on garbage. */
std::optional<DiscoveryAnswer> parse_discovery (std::string_view body,
                                                std::string &error);

/* The hosts a manifest names, best first, built from the configured hosts,
 * PATHWAY-URIS and PATHWAY-CLONES. Unknown ids are skipped. */
std::vector<Host> steering_hosts (const SteeringManifest &m,
                                  const std::vector<Host> &configured);

/* host[:port] of a URL ("rtmp://a.example:1935/live" -> "a.example:1935"). */
std::string url_authority (std::string_view url);
/* The URL with its host name replaced (port and path kept). */
std::string replace_url_host (std::string_view url, std::string_view host);

struct StatusReport
{
  std::string stream; /* empty: the report is about a host */
  std::string host;   /* empty: every host */
  bool online = false;
};

/* `alias` is the URL's last segment ("" when posted to /callbacks). Host
 * indexes are turned into URLs with `configured`. */
std::optional<StatusReport>
parse_status_report (const std::string &alias, std::string_view body,
                     const std::vector<Host> &configured, std::string &error);

} // namespace resilient::cluster
