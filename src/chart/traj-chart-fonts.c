/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-chart"

#include "config.h"

#include <math.h>

#include "traj-chart-private.h"

void
traj_chart_fonts_init (TrajChartFonts *fonts,
                       const char     *family,
                       double          size,
                       double          title_scale)
{
  cairo_font_options_t *fo;

  fonts->pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  /* Unhinted metrics: the same layout on screen, in PNG and in PDF. */
  fo = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (fonts->pango, fo);
  cairo_font_options_destroy (fo);
  pango_cairo_context_set_resolution (fonts->pango, 96);

  fonts->body = pango_font_description_new ();
  pango_font_description_set_family (fonts->body, family);
  pango_font_description_set_absolute_size (fonts->body, size * PANGO_SCALE);
  fonts->small = pango_font_description_copy (fonts->body);
  pango_font_description_set_absolute_size (fonts->small, round (size * 0.88 * 4) / 4 * PANGO_SCALE);
  fonts->bold = pango_font_description_copy (fonts->body);
  pango_font_description_set_weight (fonts->bold, PANGO_WEIGHT_BOLD);
  fonts->title = pango_font_description_copy (fonts->bold);
  pango_font_description_set_absolute_size (fonts->title, size * title_scale * PANGO_SCALE);
}

void
traj_chart_fonts_clear (TrajChartFonts *fonts)
{
  g_clear_pointer (&fonts->body, pango_font_description_free);
  g_clear_pointer (&fonts->small, pango_font_description_free);
  g_clear_pointer (&fonts->bold, pango_font_description_free);
  g_clear_pointer (&fonts->title, pango_font_description_free);
  g_clear_object (&fonts->pango);
}

PangoLayout *
traj_chart_fonts_layout (const TrajChartFonts       *fonts,
                         const PangoFontDescription *font,
                         const char                 *text,
                         double                      wrap_width,
                         double                     *w,
                         double                     *h)
{
  PangoLayout *pl = pango_layout_new (fonts->pango);
  int pw, ph;

  pango_layout_set_font_description (pl, font);
  if (wrap_width > 0)
    {
      pango_layout_set_width (pl, (int) (wrap_width * PANGO_SCALE));
      pango_layout_set_wrap (pl, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_text (pl, text, -1);
  pango_layout_get_pixel_size (pl, &pw, &ph);
  if (w)
    *w = pw;
  if (h)
    *h = ph;
  return pl;
}
