/* gst-resilient: clusterresolver's `statistics` structure
 * (application/x-clusterresolver-stats; every field is documented in
 * docs/elements/clusterresolver.md). URLs redacted. */
#pragma once

#include "resilient/cluster/cluster.h"

#include <gst/gst.h>

namespace resilient::gst {

GstStructure *cluster_statistics (cluster::Cluster &c, gint callback_port);

} // namespace resilient::gst
