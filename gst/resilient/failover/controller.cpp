/* gst-resilient: failoversrc's controller on the ControlLoop (see
 * controller.h). */
#include "failover/controller.h"
#include "failover/healthwatch.h"

#include "common/messages.h"
#include "common/clusterwatch.h"
#include "common/selfref.h"
#include "failover/busmessages.h"
#include "failover/candidaterun.h"
#include "failover/outputstage.h"
#include "failover/switching.h"
#include "failover/warmstandby.h"

#include <algorithm>
#include <optional>
#include <utility>

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;
using resilient::gst::redact_text;
using resilient::gst::redact_uri;

namespace resilient::gst::failoversrc {

using SelfRef = resilient::gst::SelfRef<GstFailoverSrc>;

PolicyConfig
policy_config (const Settings &s)
{
  PolicyConfig c;
  c.standby = s.standby == GST_FAILOVER_SRC_STANDBY_HOT    ? Standby::Hot
              : s.standby == GST_FAILOVER_SRC_STANDBY_WARM ? Standby::Warm
                                                           : Standby::Cold;
  c.backoff.initial = ms (s.retry_delay);
  c.backoff.max = ms (std::max (s.retry_max_delay, s.retry_delay));
  c.backoff.max_attempts = s.retry_max_attempts;
  c.backoff.jitter = 0.2;
  c.failback_holdoff = ms (s.failback_holdoff);
  c.auto_failback = s.auto_failback;
  c.max_freeze = from_ns (FAILBACK_MAX_FREEZE);
  return c;
}

static void
handle_failure (GstFailoverSrc *self, std::uint64_t run_id, int index,
                FailureReason reason, bool fatal, std::string detail,
                GstClockTime first_sign, Duration retry_floor)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  std::vector<Action> acts;
  std::shared_ptr<resilient::cluster::ClusterClient> cluster;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    auto it = priv->runs.find (index);
    if (!priv->policy || it == priv->runs.end () || it->second->id != run_id)
      return; /* stale: that run is gone */
    GstClockTime now = running_now (self);
    acts = priv->policy->on_failure (index, reason, fatal, detail,
                                     tp (first_sign), tp (now), retry_floor);
    auto c = priv->clusters.find (index);
    if (c != priv->clusters.end ())
      cluster = c->second;
  }
  if (cluster)
    cluster->failed (reason_name (reason));
  run_actions (self, std::move (acts));
}

/* Any thread: the first failure of a run goes to the loop. */
void
report_failure (GstFailoverSrc *self, std::uint64_t run_id, int index,
                FailureReason reason, bool fatal, std::string detail,
                GstClockTime first_sign, Duration retry_floor)
{
  auto *priv = self->priv;
  std::shared_ptr<CandidateRun> run;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    auto it = priv->runs.find (index);
    if (it != priv->runs.end () && it->second->id == run_id)
      run = it->second;
  }
  if (run) {
    bool expected = false;
    if (!run->failed_reported.compare_exchange_strong (expected, true))
      return;
    /* The active candidate stops feeding the output at once. */
    if (priv->active_source.load () == run_id)
      run->stopping = true;
  }
  priv->loop.post ([keep = SelfRef (self), run_id, index, reason, fatal, detail,
                    first_sign, retry_floor] {
    GstFailoverSrc *self = keep.p;
    handle_failure (self, run_id, index, reason, fatal, detail, first_sign,
                    retry_floor);
  });
}

static GstFailoverSrcStatus
compute_status_locked (GstFailoverSrcPrivate *priv, GstClockTime now)
{
  if (!priv->playing || !priv->policy)
    return GST_FAILOVER_SRC_STATUS_STOPPED;
  int active = priv->policy->active ();
  if (active < 0) {
    /* Starting: nothing was on the output yet and a candidate may still
     * come up. */
    bool starting = false;
    if (!priv->ever_active) {
      for (std::size_t i = 0; i < priv->policy->size (); i++)
        starting |= priv->policy->state ((int)i) == CandidateState::Starting;
    }
    return starting ? GST_FAILOVER_SRC_STATUS_STARTING
                    : GST_FAILOVER_SRC_STATUS_FILLER;
  }
  /* "The first candidate": index 0 of the list, even when it was given up
   * (then the output is on a backup for good). */
  return active == 0 ? GST_FAILOVER_SRC_STATUS_LIVE
                     : GST_FAILOVER_SRC_STATUS_BACKUP;
}

void
update_status (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  bool changed;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    GstFailoverSrcStatus st = compute_status_locked (priv, running_now (self));
    changed = st != priv->status;
    priv->status = st;
  }
  if (changed)
    g_object_notify (G_OBJECT (self), "status");
}

std::string
candidate_uri (GstFailoverSrcPrivate *priv, int index)
{
  std::lock_guard<std::mutex> g (priv->state_lock);
  if (index < 0 || index >= (int)priv->candidates.size ())
    return "";
  /* a cluster:// candidate: the host it is using (redacted) */
  if (index < (int)priv->cand_stats.size ()
      && !priv->cand_stats[index].host_uri.empty ())
    return priv->cand_stats[index].host_uri;
  return redact_uri (priv->candidates[index].uri);
}

static void
health_tick (GstFailoverSrc *self, GstClockTime now)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  std::vector<Action> acts;
  std::vector<TickFailure> failed;
  std::vector<ClusterClientPtr> healthy_clusters;
  std::vector<EarlyWakeNote> wakes;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (!priv->policy)
      return;
    for (auto &kv : priv->runs) {
      judge_run_locked (priv, kv.first, *kv.second, now, failed,
                        healthy_clusters);
      auto since = priv->policy->proving_since (kv.first);
      GST_LOG_OBJECT (self, "candidate %d: proving for %" G_GINT64_FORMAT " ms",
                      kv.first,
                      since ? (gint64)to_ms (tp (now) - *since) : (gint64)-1);
    }
    acts = priv->policy->step (tp (now));
    wakes = early_wake_locked (priv, now);
  }
  post_early_wakes (self, wakes);
  for (auto &c : healthy_clusters)
    c->succeeded ();
  run_actions (self, std::move (acts));
  for (auto &f : failed)
    report_failure (self, f.id, f.index, f.reason, false, f.detail, f.first);
}

static void
on_tick (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  GstClockTime now = running_now (self);
  if (!GST_CLOCK_TIME_IS_VALID (now))
    return;
  GstClockTime startup = GST_CLOCK_TIME_NONE;
  bool do_health = false;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (!priv->playing)
      return;
    if (!GST_CLOCK_TIME_IS_VALID (priv->last_health)
        || now >= priv->last_health + HEALTH_PERIOD
        || (GST_CLOCK_TIME_IS_VALID (priv->silence_deadline)
            && now >= priv->silence_deadline)) {
      priv->last_health = now;
      do_health = true;
    }
    startup = priv->playing_since;
  }
  guint startup_ms;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    startup_ms = priv->settings.startup_timeout;
  }
  if (GST_CLOCK_TIME_IS_VALID (startup))
    startup += startup_ms * GST_MSECOND;
  if (do_health)
    health_tick (self, now);
  filler_tick (self, now, startup);
  update_status (self);
  schedule_tick (self);
}

/* Arms the one timer of the loop at the earliest of: the next health tick,
 * the moment a running candidate's silence reaches its timeout (so a stall
 * is detected when it happens, not up to a tick later), and, for filler,
 * the next output frame while filler is on (or may have to be: a stream
 * of the active candidate starving). While every stream is fed by a
 * candidate, it does not wake up per frame. */
void
schedule_tick (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  GstClock *clock = priv->clock.load ();
  if (!clock)
    return;
  GstClockTime now = running_now (self);
  if (!GST_CLOCK_TIME_IS_VALID (now))
    return;
  GstClockTime fast;
  {
    std::lock_guard<std::mutex> g (priv->output.out[VIDEO].lock);
    fast = frame_duration (priv->output.out[VIDEO]);
  }
  fast = std::min (fast, HEALTH_PERIOD / 2);
  GstClockTime thr = starve_threshold (priv);
  bool filling = priv->active_source.load () == 0;
  GstClockTime starve = GST_CLOCK_TIME_NONE;
  for (int st = 0; st < 2 && !filling; st++) {
    OutputStream &o = priv->output.out[st];
    std::lock_guard<std::mutex> g (o.lock);
    if (!o.caps)
      continue; /* default caps are decided on health ticks */
    auto starving = o.timeline.starving_at (from_ns (thr));
    if (!starving)
      filling = true;
    else
      starve = std::min<GstClockTime> (starve, to_ns (*starving));
  }
  GstClockTime at = filling ? now + fast : std::max (starve, now + fast);
  GstClockTime silence = GST_CLOCK_TIME_NONE;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    GstClockTime health = GST_CLOCK_TIME_IS_VALID (priv->last_health)
                              ? priv->last_health + HEALTH_PERIOD
                              : now;
    at = std::min (at, health);
    for (auto &kv : priv->runs) {
      CandidateRun &r = *kv.second;
      gint64 last = r.last_buffer_ns.load ();
      if (last < 0 || !r.health || r.failed_reported.load ())
        continue;
      Duration limit = r.health->effective_timeout ();
      {
        std::lock_guard<std::mutex> sg (r.stall_lock);
        if (r.stall.learned ())
          limit = std::min (limit, r.stall.limit ());
      }
      GstClockTime dl = (GstClockTime)last + to_ns (limit);
      silence = std::min<GstClockTime> (silence, dl);
    }
    priv->silence_deadline = silence;
    at = std::min (at, silence);
    at = std::max (at, now + GST_MSECOND);
  }
  /* One timer at a time: a tick armed before (on_playing runs again when
   * GstBin re-commits PLAYING after a candidate's async-done) is replaced,
   * not doubled. Cancelling the timer whose task is running is a no-op. */
  ControlLoop::TimerId previous;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    previous = std::exchange (priv->tick_timer, 0);
  }
  if (previous)
    priv->loop.cancel (previous);
  auto id
      = priv->loop.schedule_at (clock, priv->base_time.load () + at,
                                [keep = SelfRef (self)] { on_tick (keep.p); });
  std::lock_guard<std::mutex> g (priv->state_lock);
  priv->tick_timer = id;
}

/* A status callback reported the host or stream of a cluster candidate down:
 * an immediate failure of its current run (listener thread -> loop). The
 * callback holds only a weak reference to the element. */
static void
watch_cluster (GstFailoverSrc *self, int index,
               const std::shared_ptr<resilient::cluster::ClusterClient> &client)
{
  watch_cluster_down<GstFailoverSrc> (
      self, client, [index] (GstFailoverSrc *s, const std::string &what) {
        std::uint64_t run_id = 0;
        {
          std::lock_guard<std::mutex> g (s->priv->state_lock);
          auto it = s->priv->runs.find (index);
          if (it != s->priv->runs.end ())
            run_id = it->second->id;
        }
        if (!run_id)
          return;
        GST_INFO_OBJECT (s, "cluster status: %s down, candidate %d fails",
                         what.c_str (), index);
        report_failure (s, run_id, index, FailureReason::ClusterDown, false,
                        "status callback: " + what + " reported down",
                        running_now (s));
      });
}

void
on_playing (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  std::vector<Action> acts;
  std::vector<std::shared_ptr<CandidateRun>> runs;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (!priv->policy || !priv->playing)
      return;
    for (auto &kv : priv->runs)
      runs.push_back (kv.second);
    if (!GST_CLOCK_TIME_IS_VALID (priv->playing_since))
      priv->playing_since = running_now (self);
    acts = priv->policy->step (tp (running_now (self)));
  }
  /* Back from PAUSED: the base time moved; running candidates follow it
   * and are re-anchored on their next sample. */
  for (auto &r : runs) {
    gst_element_set_base_time (r->bin, priv->base_time.load ());
    std::lock_guard<std::mutex> g (r->timeline_lock);
    r->timeline.reset ();
  }
  run_actions (self, std::move (acts));
  for (int st = 0; st < 2; st++) {
    bool known;
    {
      std::lock_guard<std::mutex> g (priv->output.out[st].lock);
      known = priv->output.out[st].caps != nullptr;
    }
    if (known)
      on_output_caps_known (self, st);
  }
  schedule_tick (self);
}

void
teardown_all (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  /* destroyed (unsubscribed) outside the state lock */
  std::map<int, std::shared_ptr<resilient::cluster::ClusterClient>> clusters;
  priv->loop.post_and_wait ([priv] { priv->loop.cancel_all (); });
  std::map<int, std::shared_ptr<CandidateRun>> runs;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    runs.swap (priv->runs);
    priv->playing = false;
    priv->policy.reset ();
    clusters.swap (priv->clusters);
    priv->playing_since = GST_CLOCK_TIME_NONE;
  }
  for (auto &kv : runs)
    interrupt_run (kv.second.get ());
  for (auto &kv : runs)
    teardown_run_sync (self, kv.second);
  /* Runs stopped earlier may still be tearing down on the call_async pool;
   * they remove themselves. */
  priv->active_source = 0;
  priv->active_index = -1;
  {
    std::lock_guard<std::mutex> g (priv->switch_lock);
    priv->pending = PendingSwitch{};
  }
}

/* Loop thread: thresholds changed in PLAYING. */
void
apply_runtime_settings (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  HealthConfig hc;
  PolicyConfig pc;
  StallConfig live, bursty;
  Settings lim;
  ContentConfig cc;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    hc = health_config (priv->settings);
    live = stall_config (priv->settings, InputKind::Live);
    bursty = stall_config (priv->settings, InputKind::Adaptive);
    lim.connect_timeout = priv->settings.connect_timeout;
    cc = content_config (priv->settings);
    pc = policy_config (priv->settings);
    priv->hold_ns = priv->settings.hold_last_frame * GST_MSECOND;
  }
  std::lock_guard<std::mutex> g (priv->state_lock);
  if (priv->policy) {
    pc.standby = priv->policy->config ().standby;
    priv->policy->set_config (pc);
  }
  for (auto &kv : priv->runs) {
    kv.second->health->set_config (hc);
    kv.second->connect.set_limit (connect_limit (lim, kv.second->scheme));
    std::lock_guard<std::mutex> cg (kv.second->content_lock);
    kv.second->content.set_config (cc);
    std::lock_guard<std::mutex> sg (kv.second->stall_lock);
    kv.second->stall.set_config (kv.second->kind == InputKind::Live ? live
                                                                    : bursty);
  }
}

/* ---- starting and stopping candidates ----------------------------------- */

/* The policy learns that candidate `index` could not even be started. */
static void
fail_start (GstFailoverSrc *self, int index, FailureReason reason, bool fatal,
            const std::string &detail)
{
  auto *priv = self->priv;
  std::vector<Action> acts;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    GstClockTime now = running_now (self);
    if (!priv->policy)
      return;
    acts = priv->policy->on_failure (index, reason, fatal, detail, tp (now),
                                     tp (now));
  }
  run_actions (self, std::move (acts));
}

/* A cluster:// candidate: the URL of the next host to try, or false (and the
 * failure reported) when no host can serve it. */
static bool
resolve_cluster_candidate (GstFailoverSrc *self, int index,
                           const ClusterClientPtr &cluster, Candidate &c)
{
  auto *priv = self->priv;
  auto attempt = cluster->next ();
  if (!attempt) {
    fail_start (self, index, FailureReason::Error, false,
                "no host of cluster '" + cluster->cluster_id ()
                    + "' can serve '" + cluster->path () + "' ("
                    + cluster->last_note () + ")");
    return false;
  }
  Candidate resolved = parse_candidate (attempt->url);
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (index < (int)priv->cand_stats.size ())
      priv->cand_stats[index].host_uri = redact_uri (attempt->url);
  }
  c.uri = attempt->url;
  c.scheme = resolved.scheme;
  c.kind = resolved.kind;
  return true;
}

/* Action Start: a new run of candidate `index`. */
static void
apply_start (GstFailoverSrc *self, int index)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  Settings s;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    s.standby = priv->settings.standby;
    s.mode = priv->settings.mode;
    s.timeout = priv->settings.timeout;
    s.stall_tolerance = priv->settings.stall_tolerance;
    s.connect_timeout = priv->settings.connect_timeout;
    s.black_timeout = priv->settings.black_timeout;
    s.frozen_timeout = priv->settings.frozen_timeout;
    s.silence_timeout = priv->settings.silence_timeout;
    s.adaptive_timeout = priv->settings.adaptive_timeout;
    s.startup_timeout = priv->settings.startup_timeout;
    s.min_bitrate = priv->settings.min_bitrate;
    s.bitrate_window = priv->settings.bitrate_window;
    s.low_bitrate_windows = priv->settings.low_bitrate_windows;
  }
  Candidate c;
  std::uint64_t id;
  ClusterClientPtr cluster;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    c = priv->candidates.at (index);
    id = priv->next_run_id++;
    auto it = priv->clusters.find (index);
    if (it != priv->clusters.end ())
      cluster = it->second;
  }
  if (cluster && !resolve_cluster_candidate (self, index, cluster, c))
    return;
  auto run = build_candidate_run (self, index, c, id, s);
  if (!run) {
    fail_start (self, index, FailureReason::Unsupported, true,
                "a required GStreamer element (uridecodebin, converters, "
                "appsink) is missing");
    return;
  }
  GST_INFO_OBJECT (self, "starting candidate %d (%s)", index,
                   run->safe_uri.c_str ());
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    priv->runs[index] = run;
  }
  start_candidate_run (self, run);
}

/* Action Stop. */
static void
apply_stop (GstFailoverSrc *self, int index)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  std::shared_ptr<CandidateRun> run;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    auto it = priv->runs.find (index);
    if (it == priv->runs.end ())
      return;
    run = it->second;
    priv->runs.erase (it);
  }
  GST_INFO_OBJECT (self, "stopping candidate %d", index);
  stop_candidate_run (self, run);
}

/* ---- failures ---------------------------------------------------------------
 */

/* Action CandidateFailed: one WARNING per failure, whatever kind (error,
 * EOS, silence, ...), with the input's own words. */
static void
apply_candidate_failed (GstFailoverSrc *self, const Action &a)
{
  std::string uri = candidate_uri (self->priv, a.index);
  std::string detail = redact_text (a.detail);
  GST_WARNING_OBJECT (self, "candidate %d (%s) failed: %s (%s)", a.index,
                      uri.c_str (), a.reason.c_str (), detail.c_str ());
  post_candidate_failed (GST_ELEMENT (self), a, uri, detail);
}

/* Action Retry. */
static void
apply_retry (GstFailoverSrc *self, const Action &a)
{
  std::string uri = candidate_uri (self->priv, a.index);
  {
    std::lock_guard<std::mutex> g (self->priv->state_lock);
    self->priv->stats.num_retries++;
  }
  post_retry (GST_ELEMENT (self), a, uri);
}

/* Action GiveUp. */
static void
apply_give_up (GstFailoverSrc *self, const Action &a)
{
  std::string uri = candidate_uri (self->priv, a.index);
  std::string detail = redact_text (a.detail);
  GST_WARNING_OBJECT (self, "giving up on candidate %d (%s): %s", a.index,
                      uri.c_str (), detail.c_str ());
  {
    std::lock_guard<std::mutex> g (self->priv->state_lock);
    if (a.index >= 0)
      self->priv->last_failure[a.index] = detail;
  }
  post_give_up (GST_ELEMENT (self), a, uri, detail);
}

/* After the actions: when every candidate was given up (and the output
 * still runs), an ERROR or EOS as all-failed says. */
static void
check_all_given_up (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  std::string why;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    if (!priv->playing || !priv->policy || !priv->policy->all_given_up ()
        || priv->eos_sent)
      return;
    priv->eos_sent = true;
    for (std::size_t i = 0; i < priv->candidates.size (); i++) {
      auto f = priv->last_failure.find ((int)i);
      why += (why.empty () ? "" : "; ") + std::string ("candidate ")
             + std::to_string (i) + " (" + redact_uri (priv->candidates[i].uri)
             + "): " + (f != priv->last_failure.end () ? f->second : "?");
    }
  }
  GstFailoverSrcAllFailed what;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    what = priv->settings.all_failed;
  }
  post_all_failed (GST_ELEMENT (self),
                   what == GST_FAILOVER_SRC_ALL_FAILED_ERROR, why);
  if (what != GST_FAILOVER_SRC_ALL_FAILED_ERROR)
    end_output (self);
}

void
run_actions (GstFailoverSrc *self, std::vector<Action> acts)
{
  g_return_if_fail (self->priv->loop.on_loop_thread ());
  bool notify_active = false;
  for (auto &a : acts) {
    switch (a.kind) {
    case Action::Kind::Switch:
      apply_switch (self, a);
      notify_active = true;
      break;
    case Action::Kind::Start:
      apply_start (self, a.index);
      break;
    case Action::Kind::Stop:
      apply_stop (self, a.index);
      break;
    case Action::Kind::CandidateFailed:
      apply_candidate_failed (self, a);
      break;
    case Action::Kind::Retry:
      apply_retry (self, a);
      break;
    case Action::Kind::GiveUp:
      apply_give_up (self, a);
      break;
    }
  }
  check_all_given_up (self);
  if (notify_active)
    g_object_notify (G_OBJECT (self), "active-candidate");
  update_status (self);
}

void
step_policy (GstFailoverSrc *self)
{
  std::vector<Action> acts;
  {
    std::lock_guard<std::mutex> g (self->priv->state_lock);
    if (self->priv->policy && self->priv->playing)
      acts = self->priv->policy->step (tp (running_now (self)));
  }
  run_actions (self, std::move (acts));
}

/* ---- preparing the candidates (application thread) ------------------------
 */

/* Parses the URIs: each candidate, its problem if it cannot be used, and
 * the resolver clients of cluster:// ones (watched). Counts the usable. */
static int
parse_candidates (GstFailoverSrc *self, const std::vector<std::string> &uris,
                  std::vector<Candidate> &cands,
                  std::map<int, ClusterClientPtr> &clusters,
                  std::string &problems)
{
  int usable = 0;
  for (auto &u : uris) {
    Candidate c = parse_candidate (u);
    if (resilient::cluster::ClusterClient::is_cluster_uri (u)) {
      /* the URL and its kind come from the cluster at each start */
      auto client = std::make_shared<resilient::cluster::ClusterClient> (u);
      std::string error;
      if (client->attach (error)) {
        c.problem.reset ();
        watch_cluster (self, (int)cands.size (), client);
        clusters[(int)cands.size ()] = client;
      } else {
        c.problem = error;
      }
    } else if (!c.problem
               && !gst_uri_protocol_is_supported (GST_URI_SRC,
                                                  c.scheme.c_str ())) {
      c.problem = "no GStreamer source element handles '" + c.scheme
                  + "://' (unknown scheme or missing plugin)";
    }
    if (c.problem) {
      problems += "\n  #" + std::to_string (cands.size ()) + " '"
                  + redact_uri (c.uri) + "': " + *c.problem;
    } else {
      usable++;
    }
    cands.push_back (c);
  }
  return usable;
}

/* state_lock held: the policy's verdict on the unusable candidates. */
static std::vector<Action>
reject_unusable_locked (GstFailoverSrcPrivate *priv,
                        const std::vector<Candidate> &cands)
{
  std::vector<Action> acts;
  for (std::size_t i = 0; i < cands.size (); i++) {
    if (!cands[i].problem)
      continue;
    auto reason = cands[i].scheme.empty ()
                          || parse_candidate (cands[i].uri).problem
                          || resilient::cluster::ClusterClient::is_cluster_uri (
                              cands[i].uri)
                      ? FailureReason::BadUri
                      : FailureReason::Unsupported;
    auto a = priv->policy->reject ((int)i, reason, *cands[i].problem);
    acts.insert (acts.end (), a.begin (), a.end ());
  }
  return acts;
}

bool
prepare_candidates (GstFailoverSrc *self)
{
  auto *priv = self->priv;
  std::vector<std::string> uris;
  PolicyConfig pc;
  gint requested;
  {
    std::lock_guard<std::mutex> g (priv->settings_lock);
    uris = priv->settings.uris;
    pc = policy_config (priv->settings);
    requested = priv->settings.requested_active;
  }
  if (uris.empty ()) {
    GST_ELEMENT_ERROR (
        self, RESOURCE, SETTINGS,
        ("failoversrc has no candidates: set the 'uris' property (for example "
         "uris=\"rtmp://host/live/key | file:///srv/slate.mp4\") or "
         "'uri-list'."),
        (nullptr));
    return false;
  }
  std::vector<Candidate> cands;
  std::map<int, ClusterClientPtr> clusters;
  std::string problems;
  if (parse_candidates (self, uris, cands, clusters, problems) == 0) {
    GST_ELEMENT_ERROR (
        self, RESOURCE, SETTINGS,
        ("None of the %zu failoversrc candidates is usable; fix 'uris' (a URI "
         "needs a scheme a GStreamer source handles, e.g. rtmp://, srt://, "
         "rtsp://, http://, file:///).",
         cands.size ()),
        ("%s", problems.c_str ()));
    return false;
  }
  std::vector<Action> acts;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    priv->candidates = cands;
    priv->clusters.swap (clusters);
    priv->policy
        = std::make_unique<FailoverPolicy> (pc, cands.size (), g_random_int ());
    priv->cand_stats.assign (cands.size (), CandidateStats{});
    priv->stats = Stats{};
    priv->early_wake = EarlyWake{};
    priv->ever_active = false;
    priv->eos_sent = false;
    priv->last_failure.clear ();
    priv->active_since = GST_CLOCK_TIME_NONE;
    priv->last_health = GST_CLOCK_TIME_NONE;
    acts = reject_unusable_locked (priv, cands);
    if (requested >= 0)
      priv->policy->request (requested);
  }
  for (auto &a : acts) {
    std::string uri = redact_uri (cands[a.index].uri);
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
                         ("failoversrc candidate %d ('%s') is skipped: %s",
                          a.index, uri.c_str (), a.detail.c_str ()),
                         (nullptr));
  }
  /* Actions are carried out on the loop only (it runs from NULL->READY). */
  priv->loop.post ([keep = SelfRef (self), acts = std::move (acts)] {
    run_actions (keep.p, acts);
  });
  return true;
}

} // namespace resilient::gst::failoversrc
