/* gst-resilient: clusterresolver, the host choice of a cluster. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_CLUSTER_RESOLVER (gst_cluster_resolver_get_type ())
G_DECLARE_FINAL_TYPE (GstClusterResolver, gst_cluster_resolver, GST,
                      CLUSTER_RESOLVER, GstElement);

G_END_DECLS
