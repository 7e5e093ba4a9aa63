/* gst-resilient
 *
 * The plugin file only registers elements; each element lives in its own
 * file pair, and its decisions in lib/resilient.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "elements.h"

#ifdef HAVE_METRICS_TRACER
#include "tracer/gstresilientmetrics.h"
#endif

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  /* Each element registers only once it does its whole job. */
  ret |= GST_ELEMENT_REGISTER (failoversrc, plugin);
#ifdef HAVE_CLUSTERRESOLVER
  ret |= GST_ELEMENT_REGISTER (clusterresolver, plugin);
#endif
  ret |= GST_ELEMENT_REGISTER (autorestoresink, plugin);
#ifdef HAVE_WEBRTC
  ret |= GST_ELEMENT_REGISTER (reswhipsink, plugin);
  ret |= GST_ELEMENT_REGISTER (reswhepsrc, plugin);
  ret |= GST_ELEMENT_REGISTER (reswhepserversink, plugin);
  ret |= GST_ELEMENT_REGISTER (reswhipserversrc, plugin);
#endif
#ifdef HAVE_METRICS_TRACER
  /* GST_TRACERS="resilientmetrics(address=...,log=...)": docs/metrics.md. */
  (void) gst_tracer_register (plugin, "resilientmetrics",
      GST_TYPE_RESILIENT_METRICS);
#endif

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, resilient,
    "Live sources and sinks that survive server, network and encoder failures",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
