/* gst-resilient: failoversrc's bus messages (see busmessages.h). */
#include "failover/busmessages.h"

#include "common/messages.h"

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;
using resilient::gst::post_element_message;
using resilient::gst::redact_text;

namespace resilient::gst::failoversrc {

ErrorClass
classify_error (const GError *err)
{
  if (err->domain == GST_RESOURCE_ERROR) {
    if (err->code == GST_RESOURCE_ERROR_NOT_FOUND)
      return ErrorClass::NotFound;
    if (err->code == GST_RESOURCE_ERROR_NOT_AUTHORIZED)
      return ErrorClass::NotAuthorized;
  } else if (err->domain == GST_CORE_ERROR) {
    if (err->code == GST_CORE_ERROR_MISSING_PLUGIN)
      return ErrorClass::MissingPlugin;
  } else if (err->domain == GST_STREAM_ERROR) {
    if (err->code == GST_STREAM_ERROR_CODEC_NOT_FOUND
        || err->code == GST_STREAM_ERROR_TYPE_NOT_FOUND
        || err->code == GST_STREAM_ERROR_WRONG_TYPE)
      return ErrorClass::MissingPlugin;
  } else if (err->domain == GST_URI_ERROR) {
    return ErrorClass::BadUri;
  }
  return ErrorClass::Transient;
}

void
post_switch (GstElement *element, const PendingSwitch &p, std::uint64_t gap_ms)
{
  post_element_message (
      element,
      gst_structure_new (
          "failoversrc-switch", "from-index", G_TYPE_INT, p.from, "to-index",
          G_TYPE_INT, p.to, "from-uri", G_TYPE_STRING, p.from_uri.c_str (),
          "to-uri", G_TYPE_STRING, p.to_uri.c_str (), "reason", G_TYPE_STRING,
          p.reason.c_str (), "cause-index", G_TYPE_INT, p.cause_index, "gap-ms",
          G_TYPE_UINT64, gap_ms, "detect-ms", G_TYPE_UINT64, p.detect_ms,
          "filler-ms", G_TYPE_UINT64, p.filler_ms, nullptr));
}

void
post_candidate_failed (GstElement *element, const Action &a,
                       const std::string &uri, const std::string &detail)
{
  std::string text = "Candidate " + std::to_string (a.index) + " (" + uri
                     + ") failed (" + a.reason + "): " + detail;
  GError *w = g_error_new_literal (GST_RESOURCE_ERROR,
                                   GST_RESOURCE_ERROR_FAILED, text.c_str ());
  gst_element_post_message (
      element, gst_message_new_warning (GST_OBJECT (element), w, nullptr));
  g_error_free (w);
  post_element_message (
      element,
      gst_structure_new ("failoversrc-candidate-failed", "index", G_TYPE_INT,
                         a.index, "uri", G_TYPE_STRING, uri.c_str (), "reason",
                         G_TYPE_STRING, a.reason.c_str (), "fatal",
                         G_TYPE_BOOLEAN, (gboolean)a.fatal, "detail",
                         G_TYPE_STRING, detail.c_str (), nullptr));
}

void
post_retry (GstElement *element, const Action &a, const std::string &uri)
{
  post_element_message (
      element, gst_structure_new (
                   "failoversrc-retry", "index", G_TYPE_INT, a.index, "uri",
                   G_TYPE_STRING, uri.c_str (), "attempt", G_TYPE_UINT,
                   (guint)a.attempt, "delay-ms", G_TYPE_UINT64,
                   (guint64)to_ms (a.delay), "reason", G_TYPE_STRING,
                   a.reason.c_str (), "fatal", G_TYPE_BOOLEAN, FALSE, nullptr));
}

void
post_give_up (GstElement *element, const Action &a, const std::string &uri,
              const std::string &detail)
{
  post_element_message (
      element, gst_structure_new (
                   "failoversrc-give-up", "index", G_TYPE_INT, a.index, "uri",
                   G_TYPE_STRING, uri.c_str (), "attempts", G_TYPE_UINT,
                   (guint)a.attempt, "reason", G_TYPE_STRING, a.reason.c_str (),
                   "fatal", G_TYPE_BOOLEAN, (gboolean)a.fatal, "detail",
                   G_TYPE_STRING, detail.c_str (), nullptr));
}

void
post_all_failed (GstElement *element, bool error, const std::string &why)
{
  if (error) {
    /* No candidate can ever come back: a failure scripts and systemd must
     * see (gst-launch exits non-zero). */
    GST_ELEMENT_ERROR (
        element, RESOURCE, FAILED,
        ("Every candidate of failoversrc was given up: %s", why.c_str ()),
        ("all-failed=error; set all-failed=eos to end the stream instead"));
  } else {
    GST_ELEMENT_WARNING (
        element, RESOURCE, FAILED,
        ("Every candidate of failoversrc was given up; sending EOS: %s",
         why.c_str ()),
        (nullptr));
  }
}

/* The words of a child's error: its message, and the last line of its
 * debug string, which names the file, host or reason ("No such file
 * "/srv/a.mp4"", "Connection refused") where the message is generic. */
std::string
error_words (const GError *err, const gchar *dbg)
{
  std::string text = err && err->message ? err->message : "";
  if (dbg && *dbg) {
    std::string d (dbg);
    /* "file.c(123): func (): /GstPipeline:p/...:\nwhat happened" */
    auto nl = d.rfind ('\n');
    std::string tail = nl == std::string::npos ? d : d.substr (nl + 1);
    if (nl == std::string::npos) {
      auto colon = d.rfind (":\n");
      if (colon != std::string::npos)
        tail = d.substr (colon + 2);
    }
    if (!tail.empty () && text.find (tail) == std::string::npos)
      text += (text.empty () ? "" : " (") + tail + (text.empty () ? "" : ")");
  }
  return redact_text (text);
}

/* A copy of an element message from inside a candidate with every string
 * field redacted (URIs, tokens), or NULL when it must not reach the
 * application: only our own elements' messages (reswhepsrc-*) and
 * missing-plugin messages (what gst-launch and installers act on) leave the
 * element; the rest (souphttpsrc's http-headers with the request URI and
 * headers, rtspsrc internals, ...) is internal. */
GstMessage *
redacted_child_element_message (GstMessage *msg)
{
  const GstStructure *st = gst_message_get_structure (msg);
  if (!st)
    return nullptr;
  const gchar *name = gst_structure_get_name (st);
  if (!g_str_has_prefix (name, "reswhepsrc-")
      && !g_str_equal (name, "missing-plugin"))
    return nullptr;
  GstStructure *copy = gst_structure_copy (st);
  gst_structure_filter_and_map_in_place (
      copy,
      [] (GQuark field, GValue *value, gpointer) -> gboolean {
        if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value)) {
          std::string r = redact_text (g_value_get_string (value));
          g_value_set_string (value, r.c_str ());
        } else if (GST_VALUE_HOLDS_STRUCTURE (value)) {
          return FALSE; /* nested structures (headers): dropped */
        }
        return TRUE;
      },
      nullptr);
  return gst_message_new_element (GST_MESSAGE_SRC (msg), copy);
}

GstMessage *
redacted_child_warning (GstMessage *msg)
{
  GError *err = nullptr;
  gchar *dbg = nullptr;
  bool warning = GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING;
  if (warning)
    gst_message_parse_warning (msg, &err, &dbg);
  else
    gst_message_parse_info (msg, &err, &dbg);
  std::string m = redact_text (err->message), d = dbg ? redact_text (dbg) : "";
  GError *r = g_error_new_literal (err->domain, err->code, m.c_str ());
  GstMessage *out
      = warning ? gst_message_new_warning (GST_MESSAGE_SRC (msg), r, d.c_str ())
                : gst_message_new_info (GST_MESSAGE_SRC (msg), r, d.c_str ());
  g_error_free (r);
  g_clear_error (&err);
  g_free (dbg);
  return out;
}

/* A reswhepsrc candidate (whep://, wheps://) reports its one failure as a
 * `reswhepsrc-failure` element message: severity fatal (401/403/404, bad
 * answer: retrying cannot help) or transient (5xx, refused, ICE, media
 * timeout), the HTTP status, the stage and Retry-After. It becomes the
 * candidate's failure; Retry-After is the floor of the next retry. */
std::optional<WhepFailure>
parse_whep_failure (GstMessage *msg)
{
  const GstStructure *st = gst_message_get_structure (msg);
  if (!st || !gst_structure_has_name (st, "reswhepsrc-failure"))
    return std::nullopt;
  const gchar *severity = gst_structure_get_string (st, "severity");
  const gchar *stage = gst_structure_get_string (st, "stage");
  const gchar *why = gst_structure_get_string (st, "reason");
  gint status = 0;
  gint64 retry_after_ms = -1;
  gst_structure_get_int (st, "http-status", &status);
  gst_structure_get_int64 (st, "retry-after-ms", &retry_after_ms);
  WhepFailure f;
  f.fatal = severity && g_str_equal (severity, "fatal");
  std::string stage_s = stage ? stage : "";
  std::string detail = std::string ("WHEP ") + (f.fatal ? "fatal" : "transient")
                       + " failure (stage "
                       + (stage_s.empty () ? "unknown" : stage_s) + ", HTTP "
                       + std::to_string (status) + "): " + (why ? why : "");
  if (retry_after_ms > 0)
    detail += " (Retry-After " + std::to_string (retry_after_ms) + " ms)";
  /* No media for media-timeout is a silence, like our own timeout. */
  f.reason = stage_s == "media-timeout" ? FailureReason::Timeout
                                        : FailureReason::Error;
  f.detail = redact_text (detail);
  f.retry_floor = retry_after_ms > 0 ? ms (retry_after_ms) : Duration::zero ();
  return f;
}

} // namespace resilient::gst::failoversrc
