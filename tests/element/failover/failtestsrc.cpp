#include "failtestsrc.h"

#include <gst/base/gstpushsrc.h>

#include <cstring>
#include <map>
#include <string>
#include <mutex>

namespace {

std::mutex g_lock;
std::map<std::string, int> g_starts;

} // namespace

#define FAILTEST_TYPE (failtest_src_get_type ())
G_DECLARE_FINAL_TYPE (FailTestSrc, failtest_src, FAILTEST, SRC, GstPushSrc)

struct _FailTestSrc
{
  GstPushSrc parent;
  gchar *uri;
  gchar *mode;
  int after;
  GQuark code;
  int count;
  int fail;
  int lag;
  int lasting; /* black / freeze: frames, -1 for good */
  int start_no;
  GstClockTime next_at; /* clock time the next frame is due */
  GstClockTime next_rt; /* its timestamp (running time) */
  GMutex lock;
  GCond cond;
  gboolean unlocked;
  GstClockID wait_id; /* the pacing wait in progress (under lock) */
};

static void failtest_uri_init (gpointer g_iface, gpointer iface_data);

G_DEFINE_TYPE_WITH_CODE (FailTestSrc, failtest_src, GST_TYPE_PUSH_SRC,
                         G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER,
                                                failtest_uri_init));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE (
    "src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw,format=I420,width=160,height=120,"
                     "framerate=30/1,pixel-aspect-ratio=1/1"));

static GstURIType
failtest_uri_get_type (GType)
{
  return GST_URI_SRC;
}

static const gchar *const *
failtest_uri_get_protocols (GType)
{
  static const gchar *protocols[] = { "failtest", nullptr };
  return protocols;
}

static gchar *
failtest_uri_get_uri (GstURIHandler *h)
{
  return g_strdup (FAILTEST_SRC (h)->uri);
}

static gboolean
failtest_uri_set_uri (GstURIHandler *h, const gchar *uri, GError **err)
{
  FailTestSrc *self = FAILTEST_SRC (h);
  GstUri *u = gst_uri_from_string (uri);
  if (!u)
    return FALSE;
  g_free (self->uri);
  self->uri = g_strdup (uri);
  g_free (self->mode);
  self->mode = g_strdup (gst_uri_get_host (u));
  const gchar *after = gst_uri_get_query_value (u, "after");
  self->after = after ? atoi (after) : -1;
  const gchar *fail = gst_uri_get_query_value (u, "fail");
  self->fail = fail ? atoi (fail) : 1;
  const gchar *lag = gst_uri_get_query_value (u, "lag");
  self->lag = lag ? atoi (lag) : 0;
  const gchar *lasting = gst_uri_get_query_value (u, "for");
  self->lasting = lasting ? atoi (lasting) : -1;
  const gchar *code = gst_uri_get_query_value (u, "code");
  self->code = g_quark_from_string (code ? code : "read");
  gst_uri_unref (u);
  return TRUE;
}

static void
failtest_uri_init (gpointer g_iface, gpointer)
{
  auto *iface = static_cast<GstURIHandlerInterface *> (g_iface);
  iface->get_type = failtest_uri_get_type;
  iface->get_protocols = failtest_uri_get_protocols;
  iface->get_uri = failtest_uri_get_uri;
  iface->set_uri = failtest_uri_set_uri;
}

static gboolean
failtest_start (GstBaseSrc *src)
{
  FailTestSrc *self = FAILTEST_SRC (src);
  self->count = 0;
  self->next_at = GST_CLOCK_TIME_NONE;
  std::lock_guard<std::mutex> g (g_lock);
  g_starts[self->uri ? self->uri : ""]++;
  self->start_no = g_starts[self->uri ? self->uri : ""];
  return TRUE;
}

static gboolean
failtest_unlock (GstBaseSrc *src)
{
  FailTestSrc *self = FAILTEST_SRC (src);
  g_mutex_lock (&self->lock);
  self->unlocked = TRUE;
  g_cond_broadcast (&self->cond);
  if (self->wait_id)
    gst_clock_id_unschedule (self->wait_id);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gboolean
failtest_unlock_stop (GstBaseSrc *src)
{
  FailTestSrc *self = FAILTEST_SRC (src);
  g_mutex_lock (&self->lock);
  self->unlocked = FALSE;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* Waits on `clock` until `at`; false when unlocked (flush / stop) first.
 * The wait is unscheduled by unlock, so a stop never waits for the clock
 * (on a GstTestClock that nobody advances, it would wait for good). */
static bool
pace (FailTestSrc *self, GstClock *clock, GstClockTime at)
{
  GstClockID id = gst_clock_new_single_shot_id (clock, at);
  g_mutex_lock (&self->lock);
  if (self->unlocked) {
    g_mutex_unlock (&self->lock);
    gst_clock_id_unref (id);
    return false;
  }
  self->wait_id = id;
  g_mutex_unlock (&self->lock);
  GstClockReturn r = gst_clock_id_wait (id, nullptr);
  g_mutex_lock (&self->lock);
  self->wait_id = nullptr;
  g_mutex_unlock (&self->lock);
  gst_clock_id_unref (id);
  return r != GST_CLOCK_UNSCHEDULED;
}

static GstFlowReturn
failtest_create (GstPushSrc *src, GstBuffer **out)
{
  FailTestSrc *self = FAILTEST_SRC (src);
  bool lag_mode = g_strcmp0 (self->mode, "lag") == 0;
  bool black_mode = g_strcmp0 (self->mode, "black") == 0;
  bool content_mode = black_mode || g_strcmp0 (self->mode, "freeze") == 0;
  if (!lag_mode && !content_mode && self->after >= 0
      && self->count >= self->after) {
    bool error = g_strcmp0 (self->mode, "error") == 0
                 || (g_strcmp0 (self->mode, "errorfirst") == 0
                     && self->start_no <= self->fail);
    if (g_strcmp0 (self->mode, "errorfirst") == 0 && !error)
      goto produce;
    if (error) {
      if (self->code == g_quark_from_string ("notfound"))
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("Not found (404)"),
                           ("failtest://error?key=SECRET"));
      else if (self->code == g_quark_from_string ("unauthorized"))
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_AUTHORIZED, ("Forbidden (403)"),
                           (nullptr));
      else
        GST_ELEMENT_ERROR (self, RESOURCE, READ, ("Connection reset by peer"),
                           (nullptr));
      return GST_FLOW_ERROR;
    }
    /* stall: wait until unlocked (flush / stop) */
    g_mutex_lock (&self->lock);
    while (!self->unlocked)
      g_cond_wait (&self->cond, &self->lock);
    g_mutex_unlock (&self->lock);
    return GST_FLOW_FLUSHING;
  }
produce:
  /* Pace like a camera: frame n is due at the first frame's clock time
   * plus n / 30 s and stamped with that moment's running time, so a
   * thread that was held up (the first buffer's way through uridecodebin,
   * a loaded machine) catches up on the following frames without a hole
   * in the timestamps. */
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  GstClockTime rt = GST_CLOCK_TIME_NONE;
  if (clock) {
    GstClockTime now = gst_clock_get_time (clock);
    GstClockTime base = gst_element_get_base_time (GST_ELEMENT (self));
    /* The first frame, or far behind the schedule (paused and played
     * again): the schedule starts now. */
    if (self->count == 0 || !GST_CLOCK_TIME_IS_VALID (self->next_at)
        || (!lag_mode && now > self->next_at + GST_SECOND)) {
      self->next_at = now;
      self->next_rt = now > base ? now - base : 0;
    }
    /* lag: once, at frame `after`, the source falls `lag` ms behind and
     * stays behind (its timestamps follow its own frame count). */
    if (lag_mode && self->count == self->after && self->lag > 0)
      self->next_at += self->lag * GST_MSECOND;
    if (self->count > 0 && !pace (self, clock, self->next_at)) {
      gst_object_unref (clock);
      return GST_FLOW_FLUSHING;
    }
    rt = self->next_rt;
    self->next_at += GST_SECOND / 30;
    self->next_rt += GST_SECOND / 30;
    gst_object_unref (clock);
  }
  gsize size = 160 * 120 * 3 / 2;
  GstBuffer *buf = gst_buffer_new_allocate (nullptr, size, nullptr);
  /* A live picture differs from any earlier frame of the last 50 (luma
   * 150..199), whatever frames the content sampler picks (every 5th that
   * arrives: a frame dropped under load shifts it; a picture alternating
   * two values looked frozen to a sampler 6 frames apart); black and
   * freeze put out black (16) or one repeated frame (200) from frame
   * `after` on, for `for` frames (default: for good), in their first
   * `fail` starts (default 1; later starts are live). */
  guint8 y = (guint8)(150 + self->count % 50);
  if (content_mode && self->start_no <= self->fail && self->after >= 0
      && self->count >= self->after
      && (self->lasting < 0 || self->count < self->after + self->lasting))
    y = black_mode ? 16 : 200;
  gst_buffer_memset (buf, 0, y, 160 * 120);
  gst_buffer_memset (buf, 160 * 120, 128, size - 160 * 120);
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  GST_BUFFER_PTS (buf) = rt;
  GST_BUFFER_DTS (buf) = rt;
  self->count++;
  *out = buf;
  return GST_FLOW_OK;
}

static void
failtest_finalize (GObject *o)
{
  FailTestSrc *self = FAILTEST_SRC (o);
  g_free (self->uri);
  g_free (self->mode);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (failtest_src_parent_class)->finalize (o);
}

static void
failtest_src_init (FailTestSrc *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->after = -1;
  gst_base_src_set_live (GST_BASE_SRC (self), TRUE);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
  gst_base_src_set_do_timestamp (GST_BASE_SRC (self), TRUE);
}

static void
failtest_src_class_init (FailTestSrcClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = failtest_finalize;
  GstBaseSrcClass *bs = GST_BASE_SRC_CLASS (klass);
  bs->start = failtest_start;
  bs->unlock = failtest_unlock;
  bs->unlock_stop = failtest_unlock_stop;
  GST_PUSH_SRC_CLASS (klass)->create = failtest_create;
  gst_element_class_add_static_pad_template (GST_ELEMENT_CLASS (klass),
                                             &src_template);
  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass),
                                         "Failure test source", "Source/Video",
                                         "Fails on demand", "tests");
}

/* failtestenc://<mode>?...: the same source, H.264-encoded (1 s GOP), so
 * that uridecodebin plugs a parser and a decoder (what warm standby gates).
 * A bin: failtestsrc (failtest://<mode>?...) ! x264enc, a ghost src pad. */
#define FAILTEST_ENC_TYPE (failtest_enc_src_get_type ())
G_DECLARE_FINAL_TYPE (FailTestEncSrc, failtest_enc_src, FAILTEST, ENC_SRC,
                      GstBin)

struct _FailTestEncSrc
{
  GstBin parent;
  gchar *uri;
  GstElement *src;
};

static void failtest_enc_uri_init (gpointer g_iface, gpointer iface_data);

G_DEFINE_TYPE_WITH_CODE (FailTestEncSrc, failtest_enc_src, GST_TYPE_BIN,
                         G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER,
                                                failtest_enc_uri_init));

static const gchar *const *
failtest_enc_uri_get_protocols (GType)
{
  static const gchar *protocols[] = { "failtestenc", nullptr };
  return protocols;
}

static gchar *
failtest_enc_uri_get_uri (GstURIHandler *h)
{
  return g_strdup (FAILTEST_ENC_SRC (h)->uri);
}

static gboolean
failtest_enc_uri_set_uri (GstURIHandler *h, const gchar *uri, GError **err)
{
  FailTestEncSrc *self = FAILTEST_ENC_SRC (h);
  const char *rest = strstr (uri, "://");
  if (!rest)
    return FALSE;
  g_free (self->uri);
  self->uri = g_strdup (uri);
  std::string inner = std::string ("failtest") + rest;
  return gst_uri_handler_set_uri (GST_URI_HANDLER (self->src), inner.c_str (),
                                  err);
}

static void
failtest_enc_uri_init (gpointer g_iface, gpointer)
{
  auto *iface = static_cast<GstURIHandlerInterface *> (g_iface);
  iface->get_type = failtest_uri_get_type;
  iface->get_protocols = failtest_enc_uri_get_protocols;
  iface->get_uri = failtest_enc_uri_get_uri;
  iface->set_uri = failtest_enc_uri_set_uri;
}

static void
failtest_enc_finalize (GObject *o)
{
  g_free (FAILTEST_ENC_SRC (o)->uri);
  G_OBJECT_CLASS (failtest_enc_src_parent_class)->finalize (o);
}

static void
failtest_enc_src_init (FailTestEncSrc *self)
{
  self->src = GST_ELEMENT (g_object_new (FAILTEST_TYPE, nullptr));
  GstElement *enc = gst_element_factory_make ("x264enc", nullptr);
  g_assert (enc);
  gst_util_set_object_arg (G_OBJECT (enc), "tune", "zerolatency");
  gst_util_set_object_arg (G_OBJECT (enc), "speed-preset", "ultrafast");
  g_object_set (enc, "key-int-max", 30, "bframes", 0, "threads", 1, nullptr);
  gst_bin_add_many (GST_BIN (self), self->src, enc, nullptr);
  gst_element_link (self->src, enc);
  GstPad *pad = gst_element_get_static_pad (enc, "src");
  gst_element_add_pad (GST_ELEMENT (self), gst_ghost_pad_new ("src", pad));
  gst_object_unref (pad);
}

static GstStaticPadTemplate enc_src_template = GST_STATIC_PAD_TEMPLATE (
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-h264"));

static void
failtest_enc_src_class_init (FailTestEncSrcClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = failtest_enc_finalize;
  gst_element_class_add_static_pad_template (GST_ELEMENT_CLASS (klass),
                                             &enc_src_template);
  gst_element_class_set_static_metadata (
      GST_ELEMENT_CLASS (klass), "Failure test source, H.264", "Source/Video",
      "Fails on demand, encoded", "tests");
}

static gboolean
plugin_init (GstPlugin *plugin)
{
  return gst_element_register (plugin, "failtestsrc", GST_RANK_PRIMARY,
                               FAILTEST_TYPE)
         && gst_element_register (plugin, "failtestencsrc", GST_RANK_PRIMARY,
                                  FAILTEST_ENC_TYPE);
}

void
failtest_register ()
{
  gst_plugin_register_static (GST_VERSION_MAJOR, GST_VERSION_MINOR, "failtest",
                              "Failure test source", plugin_init, "1.0", "LGPL",
                              "tests", "gst-resilient",
                              "https://example.invalid");
}

int
failtest_starts (const std::string &uri)
{
  std::lock_guard<std::mutex> g (g_lock);
  return g_starts[uri];
}
