/* gst-resilient
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-clusterresolver
 * @title: clusterresolver
 *
 * A pad-less element that decides which host of a cluster serves a stream.
 * It publishes its cluster in a process-wide registry under `cluster-id`
 * from the moment the property is set, so consumers in the same pipeline
 * (failoversrc, autorestoresink) can expand candidates written as
 * `cluster://<cluster-id>/<path>` whatever order gst-launch builds and
 * starts the elements in. Applications use the `resolve` action signal.
 *
 * Hosts are base URLs of any scheme, joined with the stream path. The order
 * of attempts follows `strategy`; a host that failed is skipped until
 * `failure-expiry` has passed, and that memory is kept in `state-file` so
 * that it survives a restart. Optional endpoint discovery (an HTTP API or a
 * content-steering manifest) and an HTTP status-callback listener refine
 * the choice. See docs/elements/clusterresolver.md.
 *
 * ## Example
 * |[
 * gst-launch-1.0 clusterresolver cluster-id=eu strategy=random \
 *     hosts="rtmp://a.example/live rtmp://b.example/live" \
 *   failoversrc uris="cluster://eu/cam1" ! ...
 * ]|
 *
 * Lock order: Private::lock (settings and discovery cache) is taken before
 * the Cluster's own lock (Cluster methods) and before the ControlLoop's
 * lock; no signal is emitted and no message posted with Private::lock held.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstclusterresolver.h"

#include "elements.h"
#include "cluster/callbackserver.h"
#include "cluster/clusterlink.h"
#include "cluster/discoveryclient.h"
#include "cluster/events.h"
#include "cluster/properties.h"
#include "cluster/resolveaction.h"
#include "cluster/statistics.h"
#include "common/controlloop.h"
#include "common/messages.h"
#include "resilient/cluster/cluster.h"

#include <libsoup/soup.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

GST_DEBUG_CATEGORY (gst_cluster_resolver_debug);
#define GST_CAT_DEFAULT gst_cluster_resolver_debug

using namespace resilient;
using resilient::cluster::Attempt;
using resilient::cluster::Cluster;
using resilient::cluster::ClusterEvent;
using resilient::cluster::Registry;
using resilient::cluster::Resolver;
using resilient::cluster::Strategy;
using resilient::gst::CallbackServer;
using resilient::gst::ClusterLink;
using resilient::gst::ControlLoop;
using resilient::gst::DiscoveryClient;
using resilient::gst::redact_uri;
using resilient::gst::clusterresolver::Settings;

/* Defaults, justified in docs/elements/clusterresolver.md. */
#define SECRET_ENV "RESILIENT_CALLBACK_SECRET"

enum {
  SIGNAL_CONNECT,
  SIGNAL_CONNECT_FAILED,
  SIGNAL_FAILED,
  SIGNAL_RESOLVE,
  SIGNAL_REPORT_SUCCESS,
  SIGNAL_REPORT_FAILURE,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

struct GstClusterResolverPrivate
{
  std::mutex lock;
  Settings settings;
  std::shared_ptr<Cluster> cluster;
  /* what the Cluster's callbacks reach of the element */
  ClusterLink link;
  ControlLoop loop{ "clusterresolver" };
  GstClusterResolverStatus status = GST_CLUSTER_RESOLVER_STATUS_STOPPED;
  bool exhausted = false;
  bool running = false;
  /* the port the callback listener is bound to, -1 when not listening */
  gint bound_port = -1;
  /* the parts; declared after the loop, so destroyed before it */
  DiscoveryClient discovery;
  CallbackServer callbacks;

  explicit GstClusterResolverPrivate (GstElement *owner)
      : discovery (owner, loop), callbacks (owner, loop)
  {
  }
};

struct _GstClusterResolver
{
  GstElement parent;
  GstClusterResolverPrivate *priv;
};

#define gst_cluster_resolver_parent_class parent_class
G_DEFINE_TYPE (GstClusterResolver, gst_cluster_resolver, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (clusterresolver, "clusterresolver", GST_RANK_NONE,
                             GST_TYPE_CLUSTER_RESOLVER);

static void update_status (GstClusterResolver *self);

/* ------------------------------------------------------------------ */
/* configuration */

static Strategy
to_strategy (GstClusterResolverStrategy s)
{
  switch (s) {
  case GST_CLUSTER_RESOLVER_STRATEGY_RANDOM:
    return Strategy::Random;
  case GST_CLUSTER_RESOLVER_STRATEGY_ROUND_ROBIN:
    return Strategy::RoundRobin;
  case GST_CLUSTER_RESOLVER_STRATEGY_WEIGHTED:
    return Strategy::Weighted;
  default:
    return Strategy::Ordered;
  }
}

/* Pushes the settings into the Cluster. Called with priv->lock held (the
 * Cluster lock nests inside it). */
static void
apply_settings_locked (GstClusterResolver *self)
{
  auto *priv = self->priv;
  const Settings &s = priv->settings;
  auto urls = cluster::split_list (s.hosts);
  auto weights = cluster::parse_weights (s.weights);
  std::vector<cluster::Host> hosts;
  for (size_t i = 0; i < urls.size (); i++)
    hosts.push_back (
        cluster::Host{ urls[i], i < weights.size () ? weights[i] : 1.0 });
  priv->cluster->configure ([&] (Resolver &r) {
    r.set_hosts (std::move (hosts));
    r.set_strategy (to_strategy (s.strategy));
    r.set_loops (static_cast<int> (s.loops));
    r.set_failure_expiry (ms (s.failure_expiry_ms));
  });
}

static void
publish_locked (GstClusterResolver *self)
{
  Registry::instance ().publish (self->priv->settings.cluster_id,
                                 self->priv->cluster);
}

/* ------------------------------------------------------------------ */
/* events: Cluster observer -> loop -> signals and bus messages */

/* Loop thread: the Cluster's event as log line, signal and message. */
static void
emit_event (GstClusterResolver *self, const ClusterEvent &ev)
{
  g_return_if_fail (self->priv->loop.on_loop_thread ());
  std::string cid;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    cid = self->priv->settings.cluster_id;
    if (ev.kind == ClusterEvent::Kind::Connected)
      self->priv->exhausted = false;
    else if (ev.kind == ClusterEvent::Kind::Failed)
      self->priv->exhausted = true;
  }
  /* Before the signal and the message: a handler of `failed` (or of the
   * bus message) that reads `status` sees "exhausted", not the status
   * before the event. */
  update_status (self);
  std::string host = redact_uri (ev.host), url = redact_uri (ev.url);
  switch (ev.kind) {
  case ClusterEvent::Kind::Connect:
    GST_DEBUG_OBJECT (self, "connect %s (host %d)", url.c_str (), ev.index);
    g_signal_emit (self, signals[SIGNAL_CONNECT], 0, host.c_str (), ev.index);
    break;
  case ClusterEvent::Kind::ConnectFailed:
    GST_INFO_OBJECT (self, "connect to %s failed: %s", url.c_str (),
                     ev.reason.c_str ());
    g_signal_emit (self, signals[SIGNAL_CONNECT_FAILED], 0, host.c_str (),
                   ev.index, ev.reason.c_str ());
    break;
  case ClusterEvent::Kind::Connected:
    break;
  case ClusterEvent::Kind::Failed:
    GST_WARNING_OBJECT (self, "no host of cluster %s works for '%s': %s",
                        cid.c_str (), ev.path.c_str (), ev.reason.c_str ());
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, ev.path.c_str (),
                   ev.reason.c_str ());
    break;
  case ClusterEvent::Kind::Status:
    GST_INFO_OBJECT (self, "status report: stream '%s' host '%s' %s",
                     ev.path.c_str (), host.c_str (), ev.reason.c_str ());
    break;
  }
  resilient::gst::post_cluster_event (GST_ELEMENT (self), cid, ev);
}

static void
update_status (GstClusterResolver *self)
{
  auto *priv = self->priv;
  GstClusterResolverStatus st;
  bool changed;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    if (!priv->running) {
      st = GST_CLUSTER_RESOLVER_STATUS_STOPPED;
    } else if (priv->exhausted) {
      st = GST_CLUSTER_RESOLVER_STATUS_EXHAUSTED;
    } else {
      bool degraded = false;
      TimePoint now = priv->cluster->now ();
      priv->cluster->inspect ([&] (const Resolver &r) {
        for (auto &h : r.hosts ())
          degraded |= r.memory ().active (h.url, now) != nullptr
                      || r.host_down (h.url, now);
      });
      st = degraded ? GST_CLUSTER_RESOLVER_STATUS_DEGRADED
                    : GST_CLUSTER_RESOLVER_STATUS_OK;
    }
    changed = st != priv->status;
    priv->status = st;
  }
  if (changed)
    g_object_notify (G_OBJECT (self), "status");
}

/* ------------------------------------------------------------------ */
/* actions (application threads) */

/* The element's Cluster (a reference, read under the element's lock). */
static std::shared_ptr<Cluster>
cluster_of (GstClusterResolver *self)
{
  std::lock_guard<std::mutex> g (self->priv->lock);
  return self->priv->cluster;
}

static gchar *
resolve_action (GstClusterResolver *self, const gchar *path_in)
{
  std::shared_ptr<Cluster> c;
  guint timeout_ms;
  gboolean probe;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    c = self->priv->cluster;
    timeout_ms = self->priv->settings.connect_timeout_ms;
    probe = self->priv->settings.probe;
  }
  std::optional<std::string> url = resilient::gst::resolve_with_probe (
      *c, path_in ? path_in : "", probe, timeout_ms);
  if (!url)
    return nullptr;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    self->priv->exhausted = false;
  }
  update_status (self);
  return g_strdup (url->c_str ());
}

static gboolean
report_success_action (GstClusterResolver *self, const gchar *url)
{
  if (!url)
    return FALSE;
  std::shared_ptr<Cluster> c = cluster_of (self);
  Attempt a = resilient::gst::attempt_for_url (*c, url);
  c->report_success (a);
  return a.host_index >= 0;
}

static gboolean
report_failure_action (GstClusterResolver *self, const gchar *url,
                       const gchar *reason)
{
  if (!url)
    return FALSE;
  std::shared_ptr<Cluster> c = cluster_of (self);
  Attempt a = resilient::gst::attempt_for_url (*c, url);
  c->report_failure (a, reason ? reason : "reported");
  return a.host_index >= 0;
}

/* ------------------------------------------------------------------ */
/* status callbacks (loop thread) */

static CallbackServer::Reply
on_status_callback (GstClusterResolver *self, const std::string &alias,
                    const std::string &body)
{
  std::shared_ptr<Cluster> c = cluster_of (self);
  std::vector<cluster::Host> hosts;
  c->inspect ([&] (const Resolver &r) { hosts = r.hosts (); });
  std::string error;
  auto report = cluster::parse_status_report (alias, body, hosts, error);
  if (!report) {
    GST_WARNING_OBJECT (self, "unusable status callback: %s", error.c_str ());
    return { SOUP_STATUS_BAD_REQUEST,
             "{\"error\":" + cluster::json_quote (error) + "}" };
  }
  c->report_status (*report);
  return { SOUP_STATUS_OK, "{\"ok\":true}" };
}

/* Loop thread. */
static bool
start_listener (GstClusterResolver *self, std::string &error)
{
  auto *priv = self->priv;
  std::string address;
  gint port;
  {
    std::lock_guard<std::mutex> g (priv->lock);
    address = priv->settings.callback_address;
    port = priv->settings.callback_port;
  }
  auto secret = [self] {
    std::lock_guard<std::mutex> g (self->priv->lock);
    std::string s = self->priv->settings.callback_secret;
    if (s.empty () && g_getenv (SECRET_ENV))
      s = g_getenv (SECRET_ENV);
    return s;
  };
  bool ok = priv->callbacks.start (
      address, port, secret,
      [self] (const std::string &alias, const std::string &body) {
        return on_status_callback (self, alias, body);
      },
      error);
  std::lock_guard<std::mutex> g (priv->lock);
  priv->bound_port = priv->callbacks.bound_port ();
  return ok;
}

/* Any thread but the loop. */
static void
stop_services (GstClusterResolver *self)
{
  auto *priv = self->priv;
  priv->discovery.stop ();
  priv->loop.post_and_wait ([priv] { priv->callbacks.stop (); });
  std::lock_guard<std::mutex> g (priv->lock);
  priv->bound_port = -1;
}

/* The discovery settings as DiscoveryClient takes them. */
static void
configure_discovery (GstClusterResolver *self)
{
  DiscoveryClient::Settings d;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    const Settings &s = self->priv->settings;
    d = { s.discovery_url, s.discovery_token, s.discovery_timeout_ms,
          s.discovery_ttl_ms };
  }
  self->priv->discovery.configure (std::move (d));
}

/* ------------------------------------------------------------------ */
/* GObject / GstElement */

static GstStructure *
make_statistics (GstClusterResolver *self)
{
  std::shared_ptr<Cluster> c;
  gint port;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    c = self->priv->cluster;
    port = self->priv->bound_port;
  }
  return resilient::gst::cluster_statistics (*c, port);
}

static std::string
value_string (const GValue *value)
{
  const char *v = g_value_get_string (value);
  return v ? v : "";
}

/* Discovery and callback-listener settings; priv->lock held. */
static void
set_service_property_locked (GstClusterResolver *self, guint prop_id,
                             const GValue *value)
{
  auto *priv = self->priv;
  Settings &s = priv->settings;
  switch (prop_id) {
  case PROP_DISCOVERY_URL:
    s.discovery_url = value_string (value);
    priv->cluster->configure ([] (Resolver &r) {
      r.clear_endpoints ();
      r.clear_steering ();
    });
    break;
  case PROP_DISCOVERY_TOKEN:
    s.discovery_token = value_string (value);
    break;
  case PROP_DISCOVERY_TIMEOUT:
    s.discovery_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_DISCOVERY_TTL:
    s.discovery_ttl_ms = g_value_get_uint (value);
    break;
  case PROP_CALLBACK_ADDRESS:
    s.callback_address = value_string (value).empty ()
                             ? DEFAULT_CALLBACK_ADDRESS
                             : value_string (value);
    break;
  case PROP_CALLBACK_PORT:
    s.callback_port = g_value_get_int (value);
    break;
  case PROP_CALLBACK_SECRET:
    s.callback_secret = value_string (value);
    break;
  default:
    break;
  }
}

static void
gst_cluster_resolver_set_property (GObject *object, guint prop_id,
                                   const GValue *value, GParamSpec *pspec)
{
  auto *self = GST_CLUSTER_RESOLVER (object);
  auto *priv = self->priv;
  std::unique_lock<std::mutex> g (priv->lock);
  Settings &s = priv->settings;
  auto str = [&] {
    const char *v = g_value_get_string (value);
    return std::string (v ? v : "");
  };
  switch (prop_id) {
  case PROP_CLUSTER_ID: {
    std::string id = str ();
    if (id.empty ())
      id = DEFAULT_CLUSTER_ID;
    Registry::instance ().withdraw (s.cluster_id, priv->cluster.get ());
    s.cluster_id = id;
    publish_locked (self);
    break;
  }
  case PROP_HOSTS:
    s.hosts = str ();
    apply_settings_locked (self);
    break;
  case PROP_WEIGHTS:
    s.weights = str ();
    apply_settings_locked (self);
    break;
  case PROP_STRATEGY:
    s.strategy = (GstClusterResolverStrategy)g_value_get_enum (value);
    apply_settings_locked (self);
    break;
  case PROP_CONNECT_TIMEOUT:
    s.connect_timeout_ms = g_value_get_uint (value);
    break;
  case PROP_LOOPS:
    s.loops = g_value_get_uint (value);
    apply_settings_locked (self);
    break;
  case PROP_FAILURE_EXPIRY:
    s.failure_expiry_ms = g_value_get_uint (value);
    apply_settings_locked (self);
    break;
  case PROP_STATE_FILE: {
    s.state_file = str ();
    size_t n = priv->cluster->set_state_file (s.state_file);
    GST_INFO_OBJECT (self, "state file '%s': %zu remembered failures loaded",
                     s.state_file.c_str (), n);
    break;
  }
  case PROP_PROBE:
    s.probe = g_value_get_boolean (value);
    break;
  case PROP_RANDOM_SEED:
    s.random_seed = g_value_get_uint64 (value);
    if (s.random_seed) {
      guint64 seed = s.random_seed;
      priv->cluster->configure ([seed] (Resolver &r) { r.reseed (seed); });
    }
    break;
  case PROP_DISCOVERY_URL:
  case PROP_DISCOVERY_TOKEN:
  case PROP_DISCOVERY_TIMEOUT:
  case PROP_DISCOVERY_TTL:
  case PROP_CALLBACK_ADDRESS:
  case PROP_CALLBACK_PORT:
  case PROP_CALLBACK_SECRET:
    set_service_property_locked (self, prop_id, value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
  g.unlock ();
  if (prop_id == PROP_DISCOVERY_URL || prop_id == PROP_DISCOVERY_TOKEN
      || prop_id == PROP_DISCOVERY_TIMEOUT || prop_id == PROP_DISCOVERY_TTL)
    configure_discovery (self);
}

static void
gst_cluster_resolver_get_property (GObject *object, guint prop_id,
                                   GValue *value, GParamSpec *pspec)
{
  auto *self = GST_CLUSTER_RESOLVER (object);
  auto *priv = self->priv;
  if (prop_id == PROP_STATISTICS) {
    g_value_take_boxed (value, make_statistics (self));
    return;
  }
  std::lock_guard<std::mutex> g (priv->lock);
  const Settings &s = priv->settings;
  switch (prop_id) {
  case PROP_CLUSTER_ID:
    g_value_set_string (value, s.cluster_id.c_str ());
    break;
  case PROP_HOSTS:
    g_value_set_string (value, s.hosts.c_str ());
    break;
  case PROP_WEIGHTS:
    g_value_set_string (value, s.weights.c_str ());
    break;
  case PROP_STRATEGY:
    g_value_set_enum (value, s.strategy);
    break;
  case PROP_CONNECT_TIMEOUT:
    g_value_set_uint (value, s.connect_timeout_ms);
    break;
  case PROP_LOOPS:
    g_value_set_uint (value, s.loops);
    break;
  case PROP_FAILURE_EXPIRY:
    g_value_set_uint (value, s.failure_expiry_ms);
    break;
  case PROP_STATE_FILE:
    g_value_set_string (value, s.state_file.empty () ? nullptr
                                                     : s.state_file.c_str ());
    break;
  case PROP_PROBE:
    g_value_set_boolean (value, s.probe);
    break;
  case PROP_RANDOM_SEED:
    g_value_set_uint64 (value, s.random_seed);
    break;
  case PROP_DISCOVERY_URL:
    g_value_set_string (value, s.discovery_url.empty ()
                                   ? nullptr
                                   : redact_uri (s.discovery_url).c_str ());
    break;
  case PROP_DISCOVERY_TIMEOUT:
    g_value_set_uint (value, s.discovery_timeout_ms);
    break;
  case PROP_DISCOVERY_TTL:
    g_value_set_uint (value, s.discovery_ttl_ms);
    break;
  case PROP_CALLBACK_ADDRESS:
    g_value_set_string (value, s.callback_address.c_str ());
    break;
  case PROP_CALLBACK_PORT:
    g_value_set_int (value, s.callback_port);
    break;
  case PROP_CALLBACK_BOUND_PORT:
    g_value_set_int (value, priv->bound_port);
    break;
  case PROP_STATUS:
    g_value_set_enum (value, priv->status);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    break;
  }
}

static GstStateChangeReturn
gst_cluster_resolver_change_state (GstElement *element,
                                   GstStateChange transition)
{
  auto *self = GST_CLUSTER_RESOLVER (element);
  auto *priv = self->priv;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    std::string error;
    bool ok = false;
    priv->loop.post_and_wait ([&] { ok = start_listener (self, error); });
    if (!ok) {
      GST_ELEMENT_ERROR (
          self, RESOURCE, OPEN_READ_WRITE,
          ("Cannot start the status-callback listener; check callback-address "
           "and callback-port."),
          ("%s", error.c_str ()));
      return GST_STATE_CHANGE_FAILURE;
    }
    {
      std::lock_guard<std::mutex> g (priv->lock);
      priv->running = true;
      priv->exhausted = false;
    }
    update_status (self);
    g_object_notify (G_OBJECT (self), "callback-bound-port");
  }

  GstStateChangeReturn ret
      = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    {
      std::lock_guard<std::mutex> g (priv->lock);
      priv->running = false;
    }
    stop_services (self);
    update_status (self);
    g_object_notify (G_OBJECT (self), "callback-bound-port");
  }
  /* pad-less: there is no data to preroll */
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED
      || transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
    ret = GST_STATE_CHANGE_NO_PREROLL;
  return ret;
}

static void
gst_cluster_resolver_init (GstClusterResolver *self)
{
  self->priv = new GstClusterResolverPrivate (GST_ELEMENT (self));
  auto *priv = self->priv;
  std::random_device rd;
  std::uint64_t seed = (std::uint64_t (rd ()) << 32) ^ rd ();
  priv->cluster = std::make_shared<Cluster> (
      [] { return from_ns (std::uint64_t (g_get_real_time ()) * 1000); }, seed);
  priv->cluster->configure ([] (Resolver &r) {
    r.set_loops (DEFAULT_LOOPS);
    r.set_failure_expiry (ms (DEFAULT_FAILURE_EXPIRY_MS));
  });
  /* The loop runs from creation: consumers may reach the cluster before
   * this element changes state (gst-launch starts elements in any order). */
  priv->loop.start ();
  priv->link.attach (
      priv->cluster, GST_ELEMENT (self), priv->loop,
      [self] (const ClusterEvent &ev) { emit_event (self, ev); },
      [self] (const std::string &path) {
        std::shared_ptr<Cluster> c = cluster_of (self);
        self->priv->discovery.before_resolve (c, path);
      });
  std::lock_guard<std::mutex> g (priv->lock);
  publish_locked (self);
}

static void
gst_cluster_resolver_dispose (GObject *object)
{
  auto *self = GST_CLUSTER_RESOLVER (object);
  auto *priv = self->priv;
  if (priv->link.attached ()) {
    priv->link.detach ();
    {
      std::lock_guard<std::mutex> g (priv->lock);
      Registry::instance ().withdraw (priv->settings.cluster_id,
                                      priv->cluster.get ());
    }
    if (priv->loop.running ()) {
      stop_services (self);
      priv->loop.stop ();
    }
  }
  G_OBJECT_CLASS (parent_class)->dispose (object);
}

static void
gst_cluster_resolver_finalize (GObject *object)
{
  auto *self = GST_CLUSTER_RESOLVER (object);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* The notification and action signals. */
static void
install_signals (GstClusterResolverClass *klass)
{
  /**
   * GstClusterResolver::connect:
   * @host: the host's base URL (secrets redacted)
   * @index: the host's index in `hosts`, -1 for a discovered endpoint
   *
   * A connection attempt to a host starts (by the resolve action or by a
   * consumer of the cluster).
   */
  signals[SIGNAL_CONNECT] = g_signal_new (
      "connect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, nullptr,
      nullptr, nullptr, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
  /**
   * GstClusterResolver::connect-failed:
   * @host: the host's base URL (secrets redacted)
   * @index: the host's index, -1 for a discovered endpoint
   * @reason: why ("timeout", "Connection refused", a consumer's reason)
   */
  signals[SIGNAL_CONNECT_FAILED]
      = g_signal_new ("connect-failed", G_TYPE_FROM_CLASS (klass),
                      G_SIGNAL_RUN_LAST, 0, nullptr, nullptr, nullptr,
                      G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT, G_TYPE_STRING);
  /**
   * GstClusterResolver::failed:
   * @path: the stream path no host could serve
   * @reason: "all-hosts-failed", "stream-down", "no-hosts", ...
   */
  signals[SIGNAL_FAILED] = g_signal_new (
      "failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, nullptr,
      nullptr, nullptr, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstClusterResolver::resolve:
   * @path: a stream path
   *
   * Tries the hosts in the order the cluster decides (probing each with a
   * TCP connection when `probe` is set) and returns the first URL that
   * answered, or NULL when every attempt failed. Blocks the caller.
   */
  signals[SIGNAL_RESOLVE] = g_signal_new_class_handler (
      "resolve", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags)(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK (resolve_action), nullptr, nullptr, nullptr, G_TYPE_STRING, 1,
      G_TYPE_STRING);
  /**
   * GstClusterResolver::report-success:
   * @url: a URL the application connected to
   *
   * Forgets the failure of the host the URL belongs to. Returns whether the
   * URL belongs to a configured host.
   */
  signals[SIGNAL_REPORT_SUCCESS] = g_signal_new_class_handler (
      "report-success", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags)(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK (report_success_action), nullptr, nullptr, nullptr,
      G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
  /**
   * GstClusterResolver::report-failure:
   * @url: a URL the application could not use
   * @reason: why
   *
   * Remembers the failure of the host the URL belongs to.
   */
  signals[SIGNAL_REPORT_FAILURE] = g_signal_new_class_handler (
      "report-failure", G_TYPE_FROM_CLASS (klass),
      (GSignalFlags)(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK (report_failure_action), nullptr, nullptr, nullptr,
      G_TYPE_BOOLEAN, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
gst_cluster_resolver_class_init (GstClusterResolverClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_cluster_resolver_set_property;
  gobject_class->get_property = gst_cluster_resolver_get_property;
  gobject_class->dispose = gst_cluster_resolver_dispose;
  gobject_class->finalize = gst_cluster_resolver_finalize;
  element_class->change_state = gst_cluster_resolver_change_state;

  resilient::gst::clusterresolver::install_properties (gobject_class);
  install_signals (klass);

  gst_element_class_set_static_metadata (
      element_class, "Cluster resolver", "Generic",
      "Chooses the host of a cluster that serves a stream, for "
      "failoversrc, autorestoresink and applications",
      "gst-resilient");

  gst_type_mark_as_plugin_api (GST_TYPE_CLUSTER_RESOLVER_STRATEGY,
                               (GstPluginAPIFlags)0);
  gst_type_mark_as_plugin_api (GST_TYPE_CLUSTER_RESOLVER_STATUS,
                               (GstPluginAPIFlags)0);
  GST_DEBUG_CATEGORY_INIT (gst_cluster_resolver_debug, "clusterresolver", 0,
                           "Cluster host choice");
}
