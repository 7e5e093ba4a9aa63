/* gst-resilient: finding the elements a bin made itself. */
#include "common/binsearch.h"

#include <utility>

namespace resilient::gst {

GstElement *
find_by_factory (GstBin *bin, const char *factory, int *count)
{
  GstElement *found = nullptr;
  int n = 0;
  GstIterator *it = gst_bin_iterate_recurse (bin);
  GValue item = G_VALUE_INIT;
  bool done = false;
  while (!done) {
    switch (gst_iterator_next (it, &item)) {
    case GST_ITERATOR_OK: {
      auto *e = GST_ELEMENT (g_value_get_object (&item));
      GstElementFactory *f = gst_element_get_factory (e);
      if (f && g_strcmp0 (GST_OBJECT_NAME (f), factory) == 0) {
        if (n++ == 0)
          found = GST_ELEMENT (gst_object_ref (e));
        done = !count; /* the first is enough unless they are counted */
      }
      g_value_reset (&item);
      break;
    }
    case GST_ITERATOR_RESYNC:
      gst_iterator_resync (it);
      n = 0;
      if (found)
        gst_object_unref (std::exchange (found, nullptr));
      break;
    default:
      done = true;
    }
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  if (count)
    *count = n;
  return found;
}

} // namespace resilient::gst
