/* gst-resilient: autorestoresink's run (run.h) */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/run.h"

#include "common/clusterwatch.h"
#include "resilient/core/textlist.h"
#include "restore/controller.h"
#include "restore/publishfront.h"

#include <algorithm>

namespace resilient::gst::autorestore {

/* A cluster:// destination for messages: the path (a stream key) is
 * redacted like an RTMP key. */
static std::string
cluster_display (const std::string &uri)
{
  auto u = resilient::cluster::parse_cluster_uri (uri);
  if (!u)
    return resilient::gst::redact_uri (uri);
  return "cluster://" + u->id + "/***";
}

/* The resolver's status callback reported the host (or stream) of a
 * cluster destination down: the session using it fails at once with
 * "cluster-down" (listener thread -> loop; only a weak reference to the
 * element is held). */
static void
watch_cluster (GstAutoRestoreSink *self, size_t idx,
               const std::shared_ptr<resilient::cluster::ClusterClient> &client)
{
  std::weak_ptr<resilient::cluster::ClusterClient> wc = client;
  watch_cluster_down<GstAutoRestoreSink> (
      self, client, [idx, wc] (GstAutoRestoreSink *s, const std::string &what) {
        auto *priv = s->priv;
        auto client = wc.lock ();
        auto cur = client ? client->current () : std::nullopt;
        std::shared_ptr<Session> hit;
        if (cur && idx < priv->slots.size ()
            && priv->slots[idx].cluster == client) {
          std::lock_guard<std::mutex> g (priv->lock);
          for (auto &x : priv->sessions)
            if (x->slot == idx && x->cluster_url == cur->url && !x->failed
                && !x->draining)
              hit = x;
        }
        if (!hit)
          return;
        GST_INFO_OBJECT (s,
                         "cluster status: %s down, session %" G_GUINT64_FORMAT
                         " moves on",
                         what.c_str (), hit->id);
        fail_session (s, hit, FailureKind::ClusterDown,
                      "status callback: " + what + " reported down", true,
                      false);
      });
}

static bool
setup_run (GstAutoRestoreSink *self, std::string &error)
{
  auto *priv = self->priv;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    priv->run = priv->settings;
  }
  const Settings &st = priv->run;
  auto uris = resilient::split_words (st.location, " \t\n");
  if (uris.empty ()) {
    error = "no destination: set the location property to an rtmp://, "
            "rtmps:// or srt:// URI";
    return false;
  }
  std::vector<std::shared_ptr<resilient::cluster::ClusterClient>> clusters;
  for (auto &u : uris) {
    if (resilient::cluster::ClusterClient::is_cluster_uri (u)) {
      auto client = std::make_shared<resilient::cluster::ClusterClient> (u);
      std::string why;
      if (!client->attach (why)) {
        error = "destination '" + cluster_display (u) + "': " + why
                + ": add a clusterresolver with cluster-id="
                + client->cluster_id ()
                + " to the pipeline, or fix the location property";
        return false;
      }
      clusters.push_back (client);
      continue;
    }
    clusters.push_back (nullptr);
    if (!resilient::gst::publish_transport_supports (u)) {
      resilient::gst::make_publish_transport (u, error);
      return false;
    }
  }
  RestorePolicy policy;
  policy.enabled = st.restore;
  policy.interval = ms (st.restore_interval_ms);
  policy.max_tries = st.restore_max_tries;
  policy.fast_first = st.restore_fast_first;
  policy.exponential = st.restore_backoff;
  policy.max_interval = ms (st.restore_max_interval_ms);
  priv->slots.clear ();
  priv->slots.reserve (uris.size ());
  for (size_t i = 0; i < uris.size (); i++) {
    Slot slot{ uris[i],
               clusters[i] ? cluster_display (uris[i])
                           : resilient::gst::redact_uri (uris[i]),
               BitrateWatch (ms (st.bitrate_check_interval_ms),
                             (int)st.bitrate_max_tries),
               PingWatch (ms (st.ping_check_period_ms),
                          (int)st.missing_pings) };
    slot.reach = ReachProbe (
        { ms (std::min<guint> (PROBE_MIN_INTERVAL_MS, st.probe_interval_ms)),
          ms (st.probe_interval_ms), PROBE_GROWTH });
    slot.cluster = clusters[i];
    if (slot.cluster)
      watch_cluster (self, i, slot.cluster);
    priv->slots.push_back (std::move (slot));
  }
  CoordinatorConfig cc;
  cc.redundant = st.redundant;
  cc.policy = policy;
  cc.failback_holdoff = ms (st.failback_holdoff_ms);
  priv->coord = RestoreCoordinator (cc, uris.size ());

  std::vector<EncoderCandidate> cands, fallback;
  for (auto &n : resilient::split_words (st.video_encoder, ", "))
    cands.push_back ({ n, codec_of_factory (n) });
  for (auto &n : resilient::split_words (st.fallback_video_encoder, ", "))
    fallback.push_back ({ n, codec_of_factory (n) });
  priv->front.set_chain (
      std::make_unique<EncoderChain> (cands, fallback, st.codec_fallback));
  {
    std::lock_guard<std::mutex> g (priv->lock);
    priv->stats = Stats ();
    priv->hold.set_limit (ms (st.max_hold_time_ms));
  }
  priv->fatal = false;
  return true;
}

/* ------------------------------------------------------ the run */

/* NULL->READY: settings copied, destinations checked, the loop started.
 * Runs before the loop does: from then on its state is written on it. */
bool
open_run (GstAutoRestoreSink *self, std::string &error)
{
  auto *priv = self->priv;
  if (!setup_run (self, error))
    return false;
  priv->reach.open ();
  priv->loop.start ();
  if (priv->run.network_monitor)
    priv->loop.post_and_wait ([self] { self->priv->reach.watch_network (); });
  return true;
}

/* READY->PAUSED (loop): a new run publishes afresh; a manual stop only
 * held for the run it ended. */
bool
begin_publishing (GstAutoRestoreSink *self, std::string &error)
{
  RETURN_IF_NOT_ON_LOOP_VAL (self, false);
  auto *priv = self->priv;
  priv->front.video ().linked = gst_pad_is_linked (priv->front.video ().ghost);
  priv->front.audio ().linked = gst_pad_is_linked (priv->front.audio ().ghost);
  priv->front.video ().eos = priv->front.audio ().eos = false;
  priv->stopping = false;
  priv->drain.reset ();
  for (auto &slot : priv->slots) {
    slot.gave_up = false;
    slot.fatal = false;
  }
  priv->fatal = false;
  priv->pending_start.reset ();
  priv->coord.reset ();
  priv->started = true;
  bool ok = priv->recorder.begin (error);
  update_status (self);
  return ok;
}

/* PAUSED->READY (loop): a manual stop, everything torn down, never
 * restored. */
void
stop_publishing (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  manual_stop (self);
  std::vector<std::shared_ptr<Session>> all;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    all = priv->sessions;
  }
  for (auto &s : all)
    destroy_session (self, s);
  /* Sessions torn down earlier on their own threads (WHIP DELETEs). */
  resilient::gst::wait_detached_teardowns ();
  {
    /* The next run starts on its own first media. */
    std::lock_guard<std::mutex> g (priv->lock);
    gst_caps_replace (&priv->front.video ().caps, nullptr);
    gst_caps_replace (&priv->front.audio ().caps, nullptr);
    priv->hold.clear ([] (GstBuffer *&b) { gst_buffer_unref (b); });
  }
  priv->drain.stop ();
  priv->recorder.stop ();
  priv->started = false;
}

/* READY->NULL (loop, then the loop stops): probes, network monitor,
 * recording and fronts gone; the run's destinations dropped on the loop
 * that owns them. */
void
close_run (GstAutoRestoreSink *self)
{
  RETURN_IF_NOT_ON_LOOP (self);
  auto *priv = self->priv;
  priv->reach.close ();
  priv->recorder.close ();
  priv->front.teardown ();
  priv->slots.clear ();
  priv->front.set_chain (nullptr);
}

} // namespace resilient::gst::autorestore
