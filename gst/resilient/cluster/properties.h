/* gst-resilient: clusterresolver's properties (properties.cpp).
 *
 * The settings the properties hold (defaults justified in
 * docs/elements/clusterresolver.md), the property ids, the two enum types
 * and the installation of every property (cluster, discovery, callback
 * listener, state). The element file gets and sets them.
 */
#pragma once

#include <gst/gst.h>

#include <string>

#define DEFAULT_CLUSTER_ID "default"
#define DEFAULT_STRATEGY GST_CLUSTER_RESOLVER_STRATEGY_ORDERED
#define DEFAULT_CONNECT_TIMEOUT_MS 3000
#define DEFAULT_LOOPS 2
#define DEFAULT_FAILURE_EXPIRY_MS 60000
#define DEFAULT_PROBE TRUE
#define DEFAULT_RANDOM_SEED 0
#define DEFAULT_DISCOVERY_TIMEOUT_MS 2000
#define DEFAULT_DISCOVERY_TTL_MS 30000
#define DEFAULT_CALLBACK_ADDRESS "127.0.0.1"
#define DEFAULT_CALLBACK_PORT -1

typedef enum {
  GST_CLUSTER_RESOLVER_STRATEGY_ORDERED,
  GST_CLUSTER_RESOLVER_STRATEGY_RANDOM,
  GST_CLUSTER_RESOLVER_STRATEGY_ROUND_ROBIN,
  GST_CLUSTER_RESOLVER_STRATEGY_WEIGHTED,
} GstClusterResolverStrategy;

typedef enum {
  GST_CLUSTER_RESOLVER_STATUS_STOPPED,
  GST_CLUSTER_RESOLVER_STATUS_OK,
  GST_CLUSTER_RESOLVER_STATUS_DEGRADED,
  GST_CLUSTER_RESOLVER_STATUS_EXHAUSTED,
} GstClusterResolverStatus;

GType gst_cluster_resolver_strategy_get_type (void);
#define GST_TYPE_CLUSTER_RESOLVER_STRATEGY                                     \
  (gst_cluster_resolver_strategy_get_type ())
GType gst_cluster_resolver_status_get_type (void);
#define GST_TYPE_CLUSTER_RESOLVER_STATUS                                       \
  (gst_cluster_resolver_status_get_type ())

enum {
  PROP_0,
  PROP_CLUSTER_ID,
  PROP_HOSTS,
  PROP_WEIGHTS,
  PROP_STRATEGY,
  PROP_CONNECT_TIMEOUT,
  PROP_LOOPS,
  PROP_FAILURE_EXPIRY,
  PROP_STATE_FILE,
  PROP_PROBE,
  PROP_RANDOM_SEED,
  PROP_DISCOVERY_URL,
  PROP_DISCOVERY_TOKEN,
  PROP_DISCOVERY_TIMEOUT,
  PROP_DISCOVERY_TTL,
  PROP_CALLBACK_ADDRESS,
  PROP_CALLBACK_PORT,
  PROP_CALLBACK_BOUND_PORT,
  PROP_CALLBACK_SECRET,
  PROP_STATUS,
  PROP_STATISTICS,
};

namespace resilient::gst::clusterresolver {

struct Settings
{
  std::string cluster_id = DEFAULT_CLUSTER_ID;
  std::string hosts;
  std::string weights;
  GstClusterResolverStrategy strategy = DEFAULT_STRATEGY;
  guint connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  guint loops = DEFAULT_LOOPS;
  guint failure_expiry_ms = DEFAULT_FAILURE_EXPIRY_MS;
  std::string state_file;
  gboolean probe = DEFAULT_PROBE;
  guint64 random_seed = DEFAULT_RANDOM_SEED;
  std::string discovery_url;
  std::string discovery_token;
  guint discovery_timeout_ms = DEFAULT_DISCOVERY_TIMEOUT_MS;
  guint discovery_ttl_ms = DEFAULT_DISCOVERY_TTL_MS;
  std::string callback_address = DEFAULT_CALLBACK_ADDRESS;
  gint callback_port = DEFAULT_CALLBACK_PORT;
  std::string callback_secret;
};

/* Installs every property of the element on `gobject_class`. */
void install_properties (GObjectClass *gobject_class);

} // namespace resilient::gst::clusterresolver
