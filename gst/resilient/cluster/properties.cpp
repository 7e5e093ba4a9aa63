/* gst-resilient: clusterresolver's properties (properties.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cluster/properties.h"

#include "common/messages.h"

using resilient::gst::register_enum_once;

GType
gst_cluster_resolver_strategy_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_CLUSTER_RESOLVER_STRATEGY_ORDERED,
      "Hosts in the configured order (fallback only)", "ordered" },
    { GST_CLUSTER_RESOLVER_STRATEGY_RANDOM,
      "A random order for every resolution (load balancing)", "random" },
    { GST_CLUSTER_RESOLVER_STRATEGY_ROUND_ROBIN,
      "The first host moves on by one at every resolution", "round-robin" },
    { GST_CLUSTER_RESOLVER_STRATEGY_WEIGHTED,
      "Random order drawn in proportion to the weights", "weighted" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstClusterResolverStrategy", values);
}

GType
gst_cluster_resolver_status_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_CLUSTER_RESOLVER_STATUS_STOPPED, "Not running", "stopped" },
    { GST_CLUSTER_RESOLVER_STATUS_OK, "Every host is usable", "ok" },
    { GST_CLUSTER_RESOLVER_STATUS_DEGRADED,
      "Some hosts are remembered as failed or reported down", "degraded" },
    { GST_CLUSTER_RESOLVER_STATUS_EXHAUSTED,
      "The last resolution found no working host", "exhausted" },
    { 0, nullptr, nullptr },
  };
  return register_enum_once (&type, "GstClusterResolverStatus", values);
}

namespace resilient::gst::clusterresolver {

/* Flags of the properties: read-write, changeable in READY / PLAYING,
 * write-only secrets, read-only state. */
static const GParamFlags kRw
    = (GParamFlags)(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
static const GParamFlags kRwReady
    = (GParamFlags)(kRw | GST_PARAM_MUTABLE_READY);
static const GParamFlags kRwPlaying
    = (GParamFlags)(kRw | GST_PARAM_MUTABLE_PLAYING);
static const GParamFlags kWoPlaying
    = (GParamFlags)(G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS
                    | GST_PARAM_MUTABLE_PLAYING);
static const GParamFlags kRo
    = (GParamFlags)(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

/* The cluster: hosts, strategy, failure memory, probing. */
static void
install_cluster_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_CLUSTER_ID,
      g_param_spec_string (
          "cluster-id", "Cluster id",
          "Name under which consumers find this cluster, as in "
          "cluster://<cluster-id>/<path>; an empty value means \"default\".",
          DEFAULT_CLUSTER_ID, kRwReady));
  g_object_class_install_property (
      gobject_class, PROP_HOSTS,
      g_param_spec_string (
          "hosts", "Hosts",
          "Base URLs of the hosts of the cluster (any scheme), separated by "
          "whitespace, '|' or ','; a stream path is appended to each.",
          nullptr, kRwPlaying));
  g_object_class_install_property (
      gobject_class, PROP_WEIGHTS,
      g_param_spec_string (
          "weights", "Weights",
          "Relative weights of the hosts for the weighted strategy, in host "
          "order and separated like the hosts; a missing weight is 1 and a "
          "weight of 0 puts the host last.",
          nullptr, kRwPlaying));
  g_object_class_install_property (
      gobject_class, PROP_STRATEGY,
      g_param_spec_enum (
          "strategy", "Strategy",
          "How the order of the hosts is chosen at every resolution; may be "
          "changed while running.",
          GST_TYPE_CLUSTER_RESOLVER_STRATEGY, DEFAULT_STRATEGY, kRwPlaying));
  g_object_class_install_property (
      gobject_class, PROP_CONNECT_TIMEOUT,
      g_param_spec_uint (
          "connect-timeout", "Connect timeout",
          "Time allowed to one connection attempt of the resolve action, in "
          "milliseconds, before the next host is tried.",
          1, G_MAXINT, DEFAULT_CONNECT_TIMEOUT_MS, kRwPlaying));
  g_object_class_install_property (
      gobject_class, PROP_LOOPS,
      g_param_spec_uint (
          "loops", "Loops",
          "Number of rounds over all usable hosts before a resolution gives "
          "up and the failed signal fires; at least 1.",
          1, 100, DEFAULT_LOOPS, kRwPlaying));
  g_object_class_install_property (
      gobject_class, PROP_FAILURE_EXPIRY,
      g_param_spec_uint (
          "failure-expiry", "Failure expiry",
          "How long a host that failed is skipped, in milliseconds; 0 "
          "disables the failure memory.",
          0, G_MAXINT, DEFAULT_FAILURE_EXPIRY_MS, kRwPlaying));
  g_object_class_install_property (
      gobject_class, PROP_STATE_FILE,
      g_param_spec_string (
          "state-file", "State file",
          "File in which remembered failures are kept across restarts "
          "(loaded when set, rewritten atomically on every change); unset "
          "keeps them in memory only.",
          nullptr, kRwReady));
  g_object_class_install_property (
      gobject_class, PROP_PROBE,
      g_param_spec_boolean (
          "probe", "Probe",
          "Whether the resolve action checks each host with a TCP connection "
          "before answering it (UDP schemes such as srt:// are never "
          "probed).",
          DEFAULT_PROBE, kRwPlaying));
  g_object_class_install_property (
      gobject_class, PROP_RANDOM_SEED,
      g_param_spec_uint64 (
          "random-seed", "Random seed",
          "Seed of the random and weighted strategies, for reproducible "
          "runs; 0 seeds from system entropy.",
          0, G_MAXUINT64, DEFAULT_RANDOM_SEED, kRwReady));
}

/* Endpoint discovery. */
static void
install_discovery_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_DISCOVERY_URL,
      g_param_spec_string (
          "discovery-url", "Discovery URL",
          "HTTP(S) URL asked for the best endpoint of a stream ({alias} is "
          "replaced by the stream path) or for a content-steering manifest; "
          "unset disables discovery.",
          nullptr, kRwReady));
  g_object_class_install_property (
      gobject_class, PROP_DISCOVERY_TOKEN,
      g_param_spec_string (
          "discovery-token", "Discovery token",
          "Bearer token sent to the discovery URL (write-only, never logged); "
          "unset uses the environment variable RESILIENT_DISCOVERY_TOKEN.",
          nullptr, kWoPlaying));
  g_object_class_install_property (
      gobject_class, PROP_DISCOVERY_TIMEOUT,
      g_param_spec_uint (
          "discovery-timeout", "Discovery timeout",
          "Time allowed to one discovery request, in milliseconds, before the "
          "host list is used instead.",
          1, G_MAXINT, DEFAULT_DISCOVERY_TIMEOUT_MS, kRwPlaying));
  g_object_class_install_property (
      gobject_class, PROP_DISCOVERY_TTL,
      g_param_spec_uint (
          "discovery-ttl", "Discovery TTL",
          "How long an endpoint answer without its own ttl is used, in "
          "milliseconds, before it is asked again.",
          1, G_MAXINT, DEFAULT_DISCOVERY_TTL_MS, kRwPlaying));
}

/* The status-callback listener. */
static void
install_callback_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_CALLBACK_ADDRESS,
      g_param_spec_string (
          "callback-address", "Callback address",
          "IP address the status-callback listener binds to; the default "
          "keeps it on loopback.",
          DEFAULT_CALLBACK_ADDRESS, kRwReady));
  g_object_class_install_property (
      gobject_class, PROP_CALLBACK_PORT,
      g_param_spec_int (
          "callback-port", "Callback port",
          "TCP port of the status-callback listener; -1 disables it and 0 "
          "picks a free port (see callback-bound-port).",
          -1, 65535, DEFAULT_CALLBACK_PORT, kRwReady));
  g_object_class_install_property (
      gobject_class, PROP_CALLBACK_BOUND_PORT,
      g_param_spec_int (
          "callback-bound-port", "Callback bound port",
          "TCP port the status-callback listener actually listens on; -1 "
          "when it is not listening.",
          -1, 65535, -1, kRo));
  g_object_class_install_property (
      gobject_class, PROP_CALLBACK_SECRET,
      g_param_spec_string (
          "callback-secret", "Callback secret",
          "Shared secret a status callback must send as 'Authorization: "
          "Bearer <secret>' or 'X-Callback-Secret' (write-only); unset uses "
          "RESILIENT_CALLBACK_SECRET, and no secret accepts every caller.",
          nullptr,
          (GParamFlags)(G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS
                        | GST_PARAM_MUTABLE_READY)));
}

/* What the element reports. */
static void
install_state_properties (GObjectClass *gobject_class)
{
  g_object_class_install_property (
      gobject_class, PROP_STATUS,
      g_param_spec_enum (
          "status", "Status",
          "What the cluster looks like from here: stopped, ok, degraded "
          "(some hosts failed or down) or exhausted (no host worked).",
          GST_TYPE_CLUSTER_RESOLVER_STATUS, GST_CLUSTER_RESOLVER_STATUS_STOPPED,
          kRo));
  g_object_class_install_property (
      gobject_class, PROP_STATISTICS,
      g_param_spec_boxed (
          "statistics", "Statistics",
          "Counters and per-host state (application/x-clusterresolver-stats, "
          "documented in docs/elements/clusterresolver.md).",
          GST_TYPE_STRUCTURE, kRo));
}

void
install_properties (GObjectClass *gobject_class)
{
  install_cluster_properties (gobject_class);
  install_discovery_properties (gobject_class);
  install_callback_properties (gobject_class);
  install_state_properties (gobject_class);
}

} // namespace resilient::gst::clusterresolver
