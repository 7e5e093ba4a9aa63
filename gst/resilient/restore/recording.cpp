/* gst-resilient: recording of encoded streams into clips (recording.h). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "restore/recording.h"

#include <glib/gstdio.h>

#include <cerrno>
#include <unistd.h>

namespace resilient::gst {

namespace {

GQuark
recording_quark ()
{
  static GQuark q = g_quark_from_static_string ("autorestoresink-recording");
  return q;
}

void
tag (GstElement *e)
{
  g_object_set_qdata (G_OBJECT (e), recording_quark (), GINT_TO_POINTER (1));
}

/* The wrapped chain function of a branch's queue. */
struct Guard
{
  Recording *owner = nullptr; /* outlives the queue (close() removes it) */
  GstPadChainFunction chain = nullptr;
  bool video = false;
  /* A resumed clip starts on a keyframe. */
  std::atomic<bool> need_key{ false };
};

} // namespace

/* The elements belong to the owner's bin; the owner closes the recording
 * on its way down (READY->NULL) while that bin still exists. */
Recording::~Recording () = default;

bool
Recording::open (GstBin *bin, const RecordingConfig &config, std::string &error)
{
  if (mux_)
    return true;
  GstElement *mux = gst_element_factory_make ("splitmuxsink", "recording");
  if (!mux) {
    error = "recording needs splitmuxsink (gstreamer1.0-plugins-good)";
    return false;
  }
  GstElementFactory *mf = gst_element_factory_find (config.muxer.c_str ());
  if (!mf) {
    gst_object_unref (mux);
    error = "recording-muxer '" + config.muxer + "' is not installed";
    return false;
  }
  gst_object_unref (mf);
  g_object_set (mux, "location", config.location.c_str (), "muxer-factory",
                config.muxer.c_str (), "max-size-bytes",
                (guint64)config.max_size_bytes, "max-size-time",
                (guint64)config.max_duration_ms * GST_MSECOND, "async-finalize",
                FALSE, "start-index", (gint)clips_opened_.load (), nullptr);
  tag (mux);
  gst_bin_add (bin, mux);
  bin_ = bin;
  mux_ = mux;
  return true;
}

GstFlowReturn
Recording::chain (GstPad *pad, GstObject *parent, GstBuffer *buf)
{
  auto *g = static_cast<Guard *> (pad->chaindata);
  if (g->owner->blocked_
      || (g->video && g->need_key
          && GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))) {
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }
  g->need_key = false;
  GstFlowReturn r = g->chain (pad, parent, buf);
  if (r <= GST_FLOW_NOT_NEGOTIATED) {
    g->owner->trip ("", std::string ("flow return '") + gst_flow_get_name (r)
                            + "'");
    return GST_FLOW_OK;
  }
  /* Flushing: the branch is being taken down. */
  return r == GST_FLOW_FLUSHING ? GST_FLOW_OK : r;
}

void
Recording::guard_queue (GstElement *queue, bool video)
{
  GstPad *pad = gst_element_get_static_pad (queue, "sink");
  auto *g = new Guard ();
  g->owner = this;
  g->chain = GST_PAD_CHAINFUNC (pad);
  g->video = video;
  g->need_key = video;
  gst_pad_set_chain_function_full (
      pad, chain, g, [] (gpointer p) { delete static_cast<Guard *> (p); });
  gst_object_unref (pad);
}

bool
Recording::add_stream (GstElement *tee, bool video, const char *parser)
{
  if (!mux_)
    return false;
  GstPad *rec_pad
      = gst_element_request_pad_simple (mux_, video ? "video" : "audio_%u");
  if (!rec_pad)
    return false;
  Branch b;
  b.tee = tee;
  GstElement *rq = gst_element_factory_make ("queue", nullptr);
  g_object_set (rq, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time",
                (guint64)5 * GST_SECOND, nullptr);
  tag (rq);
  guard_queue (rq, video);
  b.elements.push_back (rq);
  gst_bin_add (bin_, rq);
  bool ok = true;
  GstElement *last = rq;
  if (parser) {
    if (GstElement *rp = gst_element_factory_make (parser, nullptr)) {
      tag (rp);
      gst_bin_add (bin_, rp);
      b.elements.push_back (rp);
      ok = gst_element_link (rq, rp);
      last = rp;
    }
  }
  GstPad *src = gst_element_get_static_pad (last, "src");
  ok = ok && gst_pad_link (src, rec_pad) == GST_PAD_LINK_OK;
  gst_object_unref (src);
  gst_object_unref (rec_pad);
  for (auto it = b.elements.rbegin (); it != b.elements.rend (); ++it)
    ok = ok && gst_element_sync_state_with_parent (*it);
  b.tee_pad = ok ? gst_element_request_pad_simple (tee, "src_%u") : nullptr;
  GstPad *qsink = gst_element_get_static_pad (rq, "sink");
  ok = ok && b.tee_pad && gst_pad_link (b.tee_pad, qsink) == GST_PAD_LINK_OK;
  gst_object_unref (qsink);
  branches_.push_back (std::move (b));
  return ok;
}

void
Recording::remove_branch (Branch &b)
{
  if (b.tee_pad) {
    if (GstPad *peer = gst_pad_get_peer (b.tee_pad)) {
      gst_pad_unlink (b.tee_pad, peer);
      gst_object_unref (peer);
    }
    gst_element_release_request_pad (b.tee, b.tee_pad);
    gst_object_unref (b.tee_pad);
    b.tee_pad = nullptr;
  }
  for (auto *e : b.elements) {
    gst_element_set_state (e, GST_STATE_NULL);
    gst_bin_remove (bin_, e);
  }
  b.elements.clear ();
}

void
Recording::close ()
{
  for (auto &b : branches_)
    remove_branch (b);
  branches_.clear ();
  if (mux_) {
    gst_element_set_state (mux_, GST_STATE_NULL);
    gst_bin_remove (bin_, mux_);
    mux_ = nullptr;
  }
}

void
Recording::trip (const std::string &location, const std::string &why)
{
  if (blocked_.exchange (true))
    return;
  if (on_failure_)
    on_failure_ (location, why);
}

void
Recording::reset_counts ()
{
  clips_opened_ = 0;
  clips_closed_ = 0;
}

std::optional<ClipClosed>
Recording::note_message (GstMessage *msg)
{
  const GstStructure *s = gst_message_get_structure (msg);
  if (!s || GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ELEMENT)
    return std::nullopt;
  if (gst_structure_has_name (s, "splitmuxsink-fragment-opened"))
    clips_opened_++;
  if (!gst_structure_has_name (s, "splitmuxsink-fragment-closed"))
    return std::nullopt;
  ClipClosed c;
  const gchar *loc = gst_structure_get_string (s, "location");
  c.location = loc ? loc : "";
  GstClockTime rt = GST_CLOCK_TIME_NONE;
  gst_structure_get_clock_time (s, "running-time", &rt);
  c.running_time_ms
      = GST_CLOCK_TIME_IS_VALID (rt) ? (std::int64_t) (rt / GST_MSECOND) : -1;
  c.index = clips_closed_++;
  return c;
}

bool
Recording::owns (GstObject *obj)
{
  for (GstObject *o = obj; o; o = GST_OBJECT_PARENT (o))
    if (g_object_get_qdata (G_OBJECT (o), recording_quark ()))
      return true;
  return false;
}

std::string
Recording::file_of (GstObject *src)
{
  if (src
      && g_object_class_find_property (G_OBJECT_GET_CLASS (src), "location")) {
    gchar *loc = nullptr;
    g_object_get (src, "location", &loc, nullptr);
    std::string out = loc ? loc : "";
    g_free (loc);
    return out;
  }
  return {};
}

bool
Recording::writable (const std::string &pattern, std::string &why)
{
  gchar *dir = g_path_get_dirname (pattern.c_str ());
  gchar *tmpl = g_build_filename (dir, ".autorestoresink-XXXXXX", nullptr);
  g_free (dir);
  int fd = g_mkstemp (tmpl);
  bool ok = fd >= 0;
  if (ok) {
    /* More than a directory entry: a full disk still takes an empty file. */
    std::vector<char> block (64 * 1024, 0);
    ok = write (fd, block.data (), block.size ()) == (ssize_t)block.size ()
         && fsync (fd) == 0;
    if (!ok)
      why = g_strerror (errno);
    ::close (fd);
    g_unlink (tmpl);
  } else {
    why = g_strerror (errno);
  }
  g_free (tmpl);
  return ok;
}

} // namespace resilient::gst
