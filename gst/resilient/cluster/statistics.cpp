#include "cluster/statistics.h"

#include "common/messages.h"

namespace resilient::gst {

using cluster::Resolver;

GstStructure *
cluster_statistics (cluster::Cluster &cl, gint port)
{
  cluster::ClusterCounters k = cl.counters ();
  TimePoint now = cl.now ();
  GValue hosts = G_VALUE_INIT;
  gst_value_array_init (&hosts, 4);
  bool steering = false;
  cl.inspect ([&] (const Resolver &r) {
    steering = r.steering () && r.steering ()->valid_until > now;
    for (size_t i = 0; i < r.hosts ().size (); i++) {
      const std::string &url = r.hosts ()[i].url;
      const cluster::FailureRecord *f = r.memory ().active (url, now);
      GstStructure *s = gst_structure_new (
          "host", "index", G_TYPE_INT, (gint)i, "url", G_TYPE_STRING,
          redact_uri (url).c_str (), "picks", G_TYPE_UINT64,
          (guint64)(i < k.picks.size () ? k.picks[i] : 0), "failed",
          G_TYPE_BOOLEAN, f != nullptr, "failure-reason", G_TYPE_STRING,
          f ? f->reason.c_str () : "", "failure-expires-in-ms", G_TYPE_UINT64,
          (guint64)(f ? to_ms (f->expires_at - now) : 0), "down",
          G_TYPE_BOOLEAN, r.host_down (url, now), nullptr);
      GValue v = G_VALUE_INIT;
      g_value_init (&v, GST_TYPE_STRUCTURE);
      g_value_take_boxed (&v, s);
      gst_value_array_append_and_take_value (&hosts, &v);
    }
  });
  GstStructure *st = gst_structure_new (
      "application/x-clusterresolver-stats", "resolutions", G_TYPE_UINT64,
      k.resolutions, "attempts", G_TYPE_UINT64, k.attempts, "successes",
      G_TYPE_UINT64, k.successes, "failures", G_TYPE_UINT64, k.failures,
      "exhausted", G_TYPE_UINT64, k.exhausted, "status-reports", G_TYPE_UINT64,
      k.status_reports, "discovery-answers", G_TYPE_UINT64, k.discovery_used,
      "discovery-failures", G_TYPE_UINT64, k.discovery_failures,
      "steering-active", G_TYPE_BOOLEAN, steering, "callback-port", G_TYPE_INT,
      port, "state-file-error", G_TYPE_STRING, cl.state_error ().c_str (),
      nullptr);
  gst_structure_take_value (st, "hosts", &hosts);
  return st;
}

} // namespace resilient::gst
