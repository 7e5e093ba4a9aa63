/* gst-resilient: reading a GstPromise's reply (see promise.h). */
#include "common/promise.h"

namespace resilient::gst {

std::string
promise_error (GstPromise *p)
{
  const GstStructure *reply = gst_promise_get_reply (p);
  GError *err = nullptr;
  if (reply && gst_structure_has_field (reply, "error"))
    gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL);
  if (!err)
    return {};
  std::string m = err->message;
  g_error_free (err);
  return m;
}

} // namespace resilient::gst
