/* gst-resilient: clusterresolver's documented bus messages for the
 * Cluster's events (docs/elements/clusterresolver.md, "Messages"). */
#pragma once

#include "resilient/cluster/cluster.h"

#include <gst/gst.h>

#include <string>

namespace resilient::gst {

/* Posts the element message of `ev` (clusterresolver-connect,
 * -connect-failed, -connected, -failed or -status), host and URL
 * redacted. Never call with a lock of the element held. */
void post_cluster_event (GstElement *element, const std::string &cluster_id,
                         const cluster::ClusterEvent &ev);

} // namespace resilient::gst
