/* gst-resilient: clusterresolver's action signals on the Cluster: resolve
 * (with the reachability probe) and the URL a consumer reports. Run on the
 * caller's (application) thread; they block at most the probe timeout per
 * host. */
#pragma once

#include "resilient/cluster/cluster.h"

#include <glib.h>

#include <optional>
#include <string>

namespace resilient::gst {

/* Tries the hosts in the order the Cluster decides, probing each when
 * `probe` is set, reporting every attempt; the first URL that answered,
 * or nullopt when every attempt failed (reported as exhausted). */
std::optional<std::string> resolve_with_probe (cluster::Cluster &c,
                                               const std::string &path,
                                               bool probe, guint timeout_ms);

/* The attempt a consumer's URL stands for: its configured host, or the
 * normalised host of an endpoint (host_index -1). */
cluster::Attempt attempt_for_url (cluster::Cluster &c, const std::string &url);

} // namespace resilient::gst
