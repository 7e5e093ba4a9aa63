/* gst-resilient: the `resilientmetrics` tracer.
 *
 *   GST_TRACERS="resilientmetrics(address=127.0.0.1:9464,log=/tmp/events.jsonl)"
 *
 * serves the `statistics` of every gst-resilient element of the process as
 * Prometheus text exposition on http://<address>/metrics and writes one
 * JSON line per element message (and periodic statistics) to `log`. See
 * docs/metrics.md.
 *
 * Threads: the hooks run on whatever thread creates an element, posts a
 * message or changes a state (streaming threads included). They only take
 * a reference and queue it to the tracer's own thread (its GMainContext);
 * HTTP, JSON, file writes and `statistics` reads happen there alone.
 * One lock (Private::lock) guards the list of elements and the pending
 * warning; nothing is called out while it is held.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "tracer/gstresilientmetrics.h"

#include <libsoup/soup.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/messages.h"
#include "resilient/metrics/exposition.h"
#include "tracer/convert.h"

GST_DEBUG_CATEGORY_STATIC (resilient_metrics_debug);
#define GST_CAT_DEFAULT resilient_metrics_debug

/* Loopback only unless the user says otherwise; 9464 is the port the
 * OpenTelemetry Prometheus exporter uses by convention. */
static constexpr const char *DEFAULT_ADDRESS = "127.0.0.1:9464";
/* One statistics line per element per second in the event log: enough for a
 * bitrate curve in the timeline, small enough to leave running. */
static constexpr guint DEFAULT_STATS_INTERVAL_MS = 1000;

namespace {

struct Tracked
{
  GWeakRef ref;
  /* Element messages seen per event name; tracer thread only. */
  std::map<std::string, guint64> events;
  Tracked (GstElement *e) { g_weak_ref_init (&ref, e); }
  ~Tracked () { g_weak_ref_clear (&ref); }
};

} // namespace

struct GstResilientMetricsPrivate
{
  std::mutex lock;
  std::vector<std::unique_ptr<Tracked>> tracked; /* lock */
  std::string warning;                           /* lock */
  std::atomic<bool> warning_pending{ false };

  /* Set in constructed, read-only afterwards. */
  std::string address = DEFAULT_ADDRESS;
  std::string log_path;
  guint stats_interval_ms = DEFAULT_STATS_INTERVAL_MS;

  GMainContext *ctx = nullptr;
  GMainLoop *loop = nullptr;
  GThread *thread = nullptr;
  SoupServer *server = nullptr; /* tracer thread once it runs */
  FILE *log = nullptr;          /* tracer thread once it runs */
  std::string url;
};

struct _GstResilientMetrics
{
  GstTracer parent;
  GstResilientMetricsPrivate *priv;
};

G_DEFINE_TYPE (GstResilientMetrics, gst_resilient_metrics, GST_TYPE_TRACER);

/* ---- helpers --------------------------------------------------------------
 */

/* Ours: created by a factory of the `resilient` plugin. Cheap (class data
 * only), safe from any thread. */
static bool
is_ours (GstElement *element)
{
  if (!element)
    return false;
  GstElementFactory *f = gst_element_get_factory (element);
  if (!f)
    return false;
  const gchar *plugin
      = gst_plugin_feature_get_plugin_name (GST_PLUGIN_FEATURE (f));
  return plugin && g_str_equal (plugin, "resilient");
}

static std::string
factory_name (GstElement *element)
{
  GstElementFactory *f = gst_element_get_factory (element);
  return f ? GST_OBJECT_NAME (f) : G_OBJECT_TYPE_NAME (element);
}

static std::string
object_name (GstObject *o)
{
  gchar *n = gst_object_get_name (o);
  std::string s = n ? n : "";
  g_free (n);
  return s;
}

static std::string
pipeline_name (GstElement *element)
{
  GstObject *top = GST_OBJECT (gst_object_ref (element));
  while (GstObject *p = gst_object_get_parent (top)) {
    gst_object_unref (top);
    top = p;
  }
  std::string s = GST_OBJECT (element) == top ? "" : object_name (top);
  gst_object_unref (top);
  return s;
}

static std::string
now_iso8601 (gint64 real_us)
{
  time_t sec = (time_t)(real_us / G_USEC_PER_SEC);
  struct tm tm;
  gmtime_r (&sec, &tm);
  char buf[64];
  std::size_t n = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, sizeof buf - n, ".%03dZ",
            (int)((real_us % G_USEC_PER_SEC) / 1000));
  return buf;
}

static void
track (GstResilientMetrics *self, GstElement *element)
{
  auto *priv = self->priv;
  std::lock_guard<std::mutex> g (priv->lock);
  for (auto &t : priv->tracked) {
    GObject *o = (GObject *)g_weak_ref_get (&t->ref);
    bool same = o == (GObject *)element;
    if (o)
      g_object_unref (o);
    if (same)
      return;
  }
  priv->tracked.push_back (std::make_unique<Tracked> (element));
}

/* Tracer thread: strong references to the live elements (dead ones are
 * forgotten) with their event counts. */
struct Live
{
  GstElement *element;
  Tracked *tracked;
};

static std::vector<Live>
live_elements (GstResilientMetrics *self)
{
  auto *priv = self->priv;
  std::vector<Live> out;
  std::lock_guard<std::mutex> g (priv->lock);
  for (auto it = priv->tracked.begin (); it != priv->tracked.end ();) {
    auto *e = (GstElement *)g_weak_ref_get (&(*it)->ref);
    if (!e) {
      it = priv->tracked.erase (it);
      continue;
    }
    out.push_back ({ e, it->get () });
    ++it;
  }
  return out;
}

static void
release (std::vector<Live> &live)
{
  for (auto &l : live)
    gst_object_unref (l.element);
  live.clear ();
}

static GstStructure *
read_statistics (GstElement *element)
{
  if (!g_object_class_find_property (G_OBJECT_GET_CLASS (element),
                                     "statistics"))
    return nullptr;
  GstStructure *s = nullptr;
  g_object_get (element, "statistics", &s, nullptr);
  return s;
}

/* ---- event log (tracer thread) --------------------------------------------
 */

static void
write_line (GstResilientMetrics *self, gint64 real_us, GstElement *element,
            const std::string &event, const GstStructure *fields,
            void (*extra) (JsonBuilder *, gpointer) = nullptr,
            gpointer extra_data = nullptr)
{
  auto *priv = self->priv;
  if (!priv->log)
    return;
  JsonBuilder *b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, now_iso8601 (real_us).c_str ());
  if (element) {
    json_builder_set_member_name (b, "element");
    json_builder_add_string_value (b,
                                   object_name (GST_OBJECT (element)).c_str ());
    json_builder_set_member_name (b, "factory");
    json_builder_add_string_value (b, factory_name (element).c_str ());
    json_builder_set_member_name (b, "pipeline");
    json_builder_add_string_value (b, pipeline_name (element).c_str ());
  }
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, event.c_str ());
  json_builder_set_member_name (b, "fields");
  json_builder_begin_object (b);
  if (fields)
    resilient::gst::json_add_structure_fields (b, fields);
  if (extra)
    extra (b, extra_data);
  json_builder_end_object (b);
  json_builder_end_object (b);
  JsonGenerator *gen = json_generator_new ();
  JsonNode *root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  gchar *text = json_generator_to_data (gen, nullptr);
  /* One write per line and a flush, so `tail -f` sees whole lines. */
  fprintf (priv->log, "%s\n", text);
  fflush (priv->log);
  g_free (text);
  json_node_unref (root);
  g_object_unref (gen);
  g_object_unref (b);
}

struct Queued
{
  GstResilientMetrics *self;
  GstMessage *msg;
  gint64 real_us;
};

static void
add_error_fields (JsonBuilder *b, gpointer data)
{
  GstMessage *msg = (GstMessage *)data;
  GError *err = nullptr;
  gchar *debug = nullptr;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
    gst_message_parse_warning (msg, &err, &debug);
  else
    gst_message_parse_error (msg, &err, &debug);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (
      b, resilient::gst::redact_text (err ? err->message : "").c_str ());
  json_builder_set_member_name (b, "domain");
  json_builder_add_string_value (b, err ? g_quark_to_string (err->domain) : "");
  json_builder_set_member_name (b, "code");
  json_builder_add_int_value (b, err ? err->code : 0);
  json_builder_set_member_name (b, "debug");
  json_builder_add_string_value (
      b, resilient::gst::redact_text (debug ? debug : "").c_str ());
  g_clear_error (&err);
  g_free (debug);
}

static gboolean
handle_message (gpointer data)
{
  auto *q0 = (Queued *)data;
  /* Tracer thread only: JSON and file writes never run on a streaming thread.
   */
  g_return_val_if_fail (g_main_context_is_owner (q0->self->priv->ctx),
                        G_SOURCE_REMOVE);
  auto *q = (Queued *)data;
  GstResilientMetrics *self = q->self;
  GstElement *element = GST_ELEMENT (GST_MESSAGE_SRC (q->msg));
  track (self, element);
  std::string event;
  const GstStructure *fields = nullptr;
  bool is_error = false;
  switch (GST_MESSAGE_TYPE (q->msg)) {
  case GST_MESSAGE_ELEMENT: {
    fields = gst_message_get_structure (q->msg);
    std::string name = gst_structure_get_name (fields);
    std::string prefix = factory_name (element) + "-";
    event = name.rfind (prefix, 0) == 0 ? name.substr (prefix.size ()) : name;
    break;
  }
  case GST_MESSAGE_WARNING:
    event = "warning";
    is_error = true;
    break;
  default:
    event = "error";
    is_error = true;
    break;
  }
  {
    /* Count it (tracer thread is the only writer of `events`). */
    std::vector<Live> live = live_elements (self);
    for (auto &l : live)
      if (l.element == element)
        l.tracked->events[event]++;
    release (live);
  }
  if (is_error)
    write_line (self, q->real_us, element, event, nullptr, add_error_fields,
                q->msg);
  else
    write_line (self, q->real_us, element, event, fields);
  return G_SOURCE_REMOVE;
}

static void
free_queued (gpointer data)
{
  auto *q = (Queued *)data;
  gst_message_unref (q->msg);
  gst_object_unref (q->self);
  delete q;
}

static gboolean
log_statistics (gpointer data)
{
  g_return_val_if_fail (
      g_main_context_is_owner (GST_RESILIENT_METRICS (data)->priv->ctx),
      G_SOURCE_CONTINUE);
  auto *self = GST_RESILIENT_METRICS (data);
  std::vector<Live> live = live_elements (self);
  gint64 now = g_get_real_time ();
  for (auto &l : live) {
    GstStructure *s = read_statistics (l.element);
    if (s) {
      write_line (self, now, l.element, "statistics", s);
      gst_structure_free (s);
    }
  }
  release (live);
  return G_SOURCE_CONTINUE;
}

/* ---- HTTP (tracer thread) -------------------------------------------------
 */

static std::string
redact_label (const std::string &v)
{
  return resilient::gst::redact_text (v);
}

static std::string
render_metrics (GstResilientMetrics *self)
{
  resilient::metrics::Exposition ex;
  std::vector<Live> live = live_elements (self);
  for (auto &l : live) {
    std::string factory = factory_name (l.element);
    resilient::metrics::Labels labels = {
      { "element", object_name (GST_OBJECT (l.element)) },
      { "pipeline", pipeline_name (l.element) },
    };
    GstStructure *s = read_statistics (l.element);
    if (s) {
      ex.add_statistics (factory, labels,
                         resilient::gst::record_from_structure (s),
                         redact_label);
      gst_structure_free (s);
    }
  }
  /* Event counts after the statistics so each family stays together. */
  for (auto &l : live) {
    std::string factory = factory_name (l.element);
    for (const auto &[event, n] : l.tracked->events) {
      resilient::metrics::Labels labels = {
        { "element", object_name (GST_OBJECT (l.element)) },
        { "pipeline", pipeline_name (l.element) },
        { "event", event },
      };
      ex.add_sample (
          "resilient_" + resilient::metrics::sanitize (factory)
              + "_messages_total",
          true,
          factory
              + " bus messages seen by the tracer, by event (element "
                "messages without the '"
              + factory + "-' prefix, warning, error).",
          labels, (double)n);
    }
  }
  release (live);
  return ex.render ();
}

static void
on_metrics (SoupServer *, SoupServerMessage *msg, const char *path,
            GHashTable *, gpointer data)
{
  g_return_if_fail (
      g_main_context_is_owner (GST_RESILIENT_METRICS (data)->priv->ctx));
  auto *self = GST_RESILIENT_METRICS (data);
  const char *method = soup_server_message_get_method (msg);
  if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "HEAD") != 0) {
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                    nullptr);
    return;
  }
  if (g_strcmp0 (path, "/metrics") != 0) {
    static const char body[] = "gst-resilient metrics are at /metrics\n";
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, nullptr);
    soup_server_message_set_response (msg, "text/plain; charset=utf-8",
                                      SOUP_MEMORY_STATIC, body,
                                      sizeof body - 1);
    return;
  }
  std::string text = render_metrics (self);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, nullptr);
  soup_server_message_set_response (
      msg, "text/plain; version=0.0.4; charset=utf-8", SOUP_MEMORY_COPY,
      text.data (), text.size ());
}

/* ---- failures -------------------------------------------------------------
 */

static void
set_warning (GstResilientMetrics *self, const std::string &text)
{
  GST_WARNING_OBJECT (self, "%s", text.c_str ());
  std::lock_guard<std::mutex> g (self->priv->lock);
  if (!self->priv->warning.empty ())
    self->priv->warning += "; ";
  self->priv->warning += text;
  self->priv->warning_pending = true;
}

/* Posts the pending warning once, from the first of our elements that has a
 * bus, so gst-launch and applications see it; the pipeline runs on. */
static void
post_pending_warning (GstResilientMetrics *self, GstElement *element)
{
  GstBus *bus = gst_element_get_bus (element);
  if (!bus)
    return;
  gst_object_unref (bus);
  if (!self->priv->warning_pending.exchange (false))
    return;
  std::string text;
  {
    std::lock_guard<std::mutex> g (self->priv->lock);
    text = self->priv->warning;
  }
  GError *err = g_error_new (
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ_WRITE,
      "resilientmetrics tracer: %s; the pipeline runs without it",
      text.c_str ());
  gst_element_post_message (
      element, gst_message_new_warning (GST_OBJECT (element), err, nullptr));
  g_error_free (err);
  resilient::gst::post_element_message (
      element, gst_structure_new ("resilientmetrics-failed", "reason",
                                  G_TYPE_STRING, text.c_str (), nullptr));
}

/* ---- hooks (any thread: cheap) --------------------------------------------
 */

static void
on_element_new (GObject *obj, GstClockTime, GstElement *element)
{
  if (is_ours (element))
    track (GST_RESILIENT_METRICS (obj), element);
}

static void
on_post_message (GObject *obj, GstClockTime, GstElement *element,
                 GstMessage *msg)
{
  auto *self = GST_RESILIENT_METRICS (obj);
  if (!is_ours (element) || GST_MESSAGE_SRC (msg) != GST_OBJECT (element))
    return;
  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_ELEMENT:
  case GST_MESSAGE_WARNING:
  case GST_MESSAGE_ERROR:
    break;
  default:
    return;
  }
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT) {
    const GstStructure *s = gst_message_get_structure (msg);
    if (!s || gst_structure_has_name (s, "resilientmetrics-failed"))
      return;
  }
  auto *q = new Queued{ GST_RESILIENT_METRICS (gst_object_ref (self)),
                        gst_message_ref (msg), g_get_real_time () };
  g_main_context_invoke_full (self->priv->ctx, G_PRIORITY_DEFAULT,
                              handle_message, q, free_queued);
}

static void
on_change_state_post (GObject *obj, GstClockTime, GstElement *element,
                      GstStateChange, GstStateChangeReturn)
{
  auto *self = GST_RESILIENT_METRICS (obj);
  if (self->priv->warning_pending.load () && is_ours (element))
    post_pending_warning (self, element);
}

/* ---- set-up ---------------------------------------------------------------
 */

static bool
parse_params (GstResilientMetrics *self, const gchar *params)
{
  auto *priv = self->priv;
  if (!params || !*params)
    return true;
  gchar *text = g_strdup_printf ("resilientmetrics,%s", params);
  GstStructure *s = gst_structure_from_string (text, nullptr);
  g_free (text);
  if (!s) {
    set_warning (
        self,
        std::string ("cannot parse parameters '") + params
            + "' (expected e.g. address=127.0.0.1:9464,log=/tmp/events.jsonl,"
              "stats-interval=1000)");
    return false;
  }
  bool ok = true;
  gint n = gst_structure_n_fields (s);
  for (gint i = 0; i < n; i++) {
    const char *key = gst_structure_nth_field_name (s, i);
    const GValue *v = gst_structure_get_value (s, key);
    gchar *str = G_VALUE_HOLDS_STRING (v) ? g_value_dup_string (v)
                                          : gst_value_serialize (v);
    std::string value = str ? str : "";
    g_free (str);
    if (g_str_equal (key, "address"))
      priv->address = value;
    else if (g_str_equal (key, "log"))
      priv->log_path = value;
    else if (g_str_equal (key, "stats-interval")) {
      gchar *end = nullptr;
      guint64 ms = g_ascii_strtoull (value.c_str (), &end, 10);
      if (value.empty () || *end || ms > G_MAXUINT) {
        set_warning (self, "stats-interval '" + value
                               + "' is not a number of milliseconds");
        ok = false;
      } else {
        priv->stats_interval_ms = (guint)ms;
      }
    } else {
      set_warning (self, std::string ("unknown parameter '") + key
                             + "' (known: address, log, stats-interval)");
      ok = false;
    }
  }
  gst_structure_free (s);
  return ok;
}

/* Splits "host:port" / "[v6]:port". */
static bool
split_address (const std::string &a, std::string &host, guint &port)
{
  auto colon = a.rfind (':');
  if (colon == std::string::npos || colon + 1 >= a.size ())
    return false;
  host = a.substr (0, colon);
  if (host.size () >= 2 && host.front () == '[' && host.back () == ']')
    host = host.substr (1, host.size () - 2);
  gchar *end = nullptr;
  guint64 p = g_ascii_strtoull (a.c_str () + colon + 1, &end, 10);
  if (*end || p > 65535)
    return false;
  port = (guint)p;
  return !host.empty ();
}

/* Constructing thread, with priv->ctx pushed as thread default so the
 * server's sources land on the tracer's context. */
static void
start_server (GstResilientMetrics *self)
{
  auto *priv = self->priv;
  if (priv->address.empty () || priv->address == "none")
    return;
  std::string host;
  guint port = 0;
  if (!split_address (priv->address, host, port)) {
    set_warning (self, "address '" + priv->address
                           + "' is not host:port (e.g. 127.0.0.1:9464)");
    return;
  }
  GInetAddress *ia = g_inet_address_new_from_string (host.c_str ());
  if (!ia) {
    set_warning (self, "address '" + priv->address + "': '" + host
                           + "' is not an IP address");
    return;
  }
  GSocketAddress *sa = g_inet_socket_address_new (ia, port);
  g_object_unref (ia);
  priv->server
      = soup_server_new ("server-header", "gst-resilient-metrics ", nullptr);
  soup_server_add_handler (priv->server, nullptr, on_metrics, self, nullptr);
  GError *err = nullptr;
  if (!soup_server_listen (priv->server, sa, (SoupServerListenOptions)0,
                           &err)) {
    set_warning (self, "cannot serve metrics on " + priv->address + ": "
                           + (err ? err->message : "unknown error"));
    g_clear_error (&err);
    g_clear_object (&priv->server);
  } else {
    GSList *uris = soup_server_get_uris (priv->server);
    if (uris) {
      GUri *u = (GUri *)uris->data;
      gchar *s = g_strdup_printf ("http://%s:%d/metrics",
                                  host.find (':') != std::string::npos
                                      ? ("[" + host + "]").c_str ()
                                      : host.c_str (),
                                  g_uri_get_port (u));
      priv->url = s;
      g_free (s);
    }
    g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
    GST_INFO_OBJECT (self, "serving metrics on %s", priv->url.c_str ());
  }
  g_object_unref (sa);
}

static gpointer
run (gpointer data)
{
  auto *self = GST_RESILIENT_METRICS (data);
  auto *priv = self->priv;
  g_main_context_push_thread_default (priv->ctx);
  g_main_loop_run (priv->loop);
  if (priv->server) {
    soup_server_disconnect (priv->server);
    g_clear_object (&priv->server);
  }
  g_main_context_pop_thread_default (priv->ctx);
  return nullptr;
}

static void
gst_resilient_metrics_constructed (GObject *object)
{
  auto *self = GST_RESILIENT_METRICS (object);
  auto *priv = self->priv;
  G_OBJECT_CLASS (gst_resilient_metrics_parent_class)->constructed (object);

  gchar *params = nullptr;
  g_object_get (self, "params", &params, nullptr);
  parse_params (self, params);
  g_free (params);

  priv->ctx = g_main_context_new ();
  priv->loop = g_main_loop_new (priv->ctx, FALSE);

  if (!priv->log_path.empty ()) {
    priv->log = fopen (priv->log_path.c_str (), "a");
    if (!priv->log)
      set_warning (self, "cannot open the event log '" + priv->log_path
                             + "': " + g_strerror (errno));
  }

  g_main_context_push_thread_default (priv->ctx);
  start_server (self);
  g_main_context_pop_thread_default (priv->ctx);

  if (priv->log) {
    GstStructure *s = gst_structure_new (
        "started", "metrics-url", G_TYPE_STRING, priv->url.c_str (),
        "stats-interval-ms", G_TYPE_UINT, priv->stats_interval_ms, nullptr);
    write_line (self, g_get_real_time (), nullptr, "tracer-started", s);
    gst_structure_free (s);
    if (priv->stats_interval_ms > 0) {
      GSource *t = g_timeout_source_new (priv->stats_interval_ms);
      g_source_set_callback (t, log_statistics, self, nullptr);
      g_source_attach (t, priv->ctx);
      g_source_unref (t);
    }
  }

  gst_tracing_register_hook (GST_TRACER (self), "element-new",
                             G_CALLBACK (on_element_new));
  gst_tracing_register_hook (GST_TRACER (self), "element-post-message-pre",
                             G_CALLBACK (on_post_message));
  gst_tracing_register_hook (GST_TRACER (self), "element-change-state-post",
                             G_CALLBACK (on_change_state_post));

  priv->thread = g_thread_new ("resilientmetrics", run, self);
}

static void
gst_resilient_metrics_finalize (GObject *object)
{
  auto *self = GST_RESILIENT_METRICS (object);
  auto *priv = self->priv;
  if (priv->thread) {
    g_main_loop_quit (priv->loop);
    g_thread_join (priv->thread);
  }
  /* Messages still queued hold a reference on the tracer, so none is left
   * here; drop the context's remaining sources. */
  if (priv->log)
    fclose (priv->log);
  g_main_loop_unref (priv->loop);
  g_main_context_unref (priv->ctx);
  delete priv;
  G_OBJECT_CLASS (gst_resilient_metrics_parent_class)->finalize (object);
}

static void
gst_resilient_metrics_class_init (GstResilientMetricsClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  gobject_class->constructed = gst_resilient_metrics_constructed;
  gobject_class->finalize = gst_resilient_metrics_finalize;
  GST_DEBUG_CATEGORY_INIT (resilient_metrics_debug, "resilientmetrics", 0,
                           "gst-resilient metrics and event log tracer");
}

static void
gst_resilient_metrics_init (GstResilientMetrics *self)
{
  self->priv = new GstResilientMetricsPrivate ();
}
