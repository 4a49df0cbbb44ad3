/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-report"

#include "config.h"

#include "traj-report-private.h"

/* Painting a laid-out page: its pieces, the running head and the footer. */

static void
set_rgb (cairo_t *cr, guint32 rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

static void
show (cairo_t *cr, PangoLayout *pl, double x, double y, guint32 rgb)
{
  set_rgb (cr, rgb);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, pl);
}

static void
hline (cairo_t *cr, double x0, double x1, double y, double width, guint32 rgb)
{
  set_rgb (cr, rgb);
  cairo_set_line_width (cr, width);
  cairo_move_to (cr, x0, y);
  cairo_line_to (cr, x1, y);
  cairo_stroke (cr);
}

static void
draw_table_piece (TrajReport *self, cairo_t *cr, const Piece *p, double x)
{
  const Block *b = p->block;
  const Table *t = b->table;
  double width = rp_content_width (self), y = p->y;

  if (b->markup)
    {
      show (cr, p->continued ? b->pl_continued : b->pl, x, y, INK);
      hline (cr, x, x + width, y + rp_layout_height (b->pl) + 2, 0.6, RULE);
      y += b->title_h;
    }
  if (!t->plain)
    {
      cairo_rectangle (cr, x, y, width, t->header_h);
      set_rgb (cr, FILL_HEAD);
      cairo_fill (cr);
      for (guint c = 0; c < t->n_columns; c++)
        show (cr, t->header_pl[c], x + t->col_x[c] + CELL_PAD_X, y + CELL_PAD_Y, INK);
      y += t->header_h;
      hline (cr, x, x + width, y, 0.8, INK_SOFT);
    }
  for (guint r = p->row_from; r < p->row_to; r++)
    {
      const Row *row = g_ptr_array_index (t->rows, r);
      double pad_y = CELL_PAD_Y * (t->plain ? 0.6 : 1);

      if (row->group)
        {
          cairo_rectangle (cr, x, y, width, row->height);
          set_rgb (cr, FILL_GROUP);
          cairo_fill (cr);
          show (cr, row->pl[0], x + CELL_PAD_X, y + pad_y + CELL_PAD_Y * 0.5, INK);
        }
      else
        for (guint c = 0; c < t->n_columns; c++)
          show (cr, row->pl[c], x + t->col_x[c] + CELL_PAD_X, y + pad_y, INK);
      y += row->height;
      if (!t->plain)
        hline (cr, x, x + width, y, 0.4, r + 1 == p->row_to ? RULE : RULE_SOFT);
    }
}

static void
draw_cohort_charts (TrajReport *self, cairo_t *cr, double x, double y, double w, double h)
{
  TrajChartPalette palette;
  TrajCohortChartOptions o;
  double fs = 7.5 * self->fscale, gap = 14;
  double tw, th, kx, ky, kw, kh;

  traj_chart_palette_init_print (&palette);
  if (rp_cohort_charts_side_by_side (self))
    {
      tw = kw = (w - gap) / 2;
      th = kh = h;
      kx = x + tw + gap;
      ky = y;
    }
  else
    {
      /* The time-to-booster chart carries the numbers at risk under it. */
      tw = kw = w;
      th = round ((h - gap) * 0.45);
      kh = h - gap - th;
      kx = x;
      ky = y + th + gap;
    }
  traj_cohort_chart_options_init (&o, TRAJ_COHORT_CHART_BY_INFUSION);
  o.font_size = fs;
  o.show_courses = FALSE;
  o.font_family = self->font_family;
  cairo_save (cr);
  cairo_translate (cr, x, y);
  traj_cohort_chart_render (self->cohort, &o, &palette, cr, tw, th);
  cairo_restore (cr);

  traj_cohort_chart_options_init (&o, TRAJ_COHORT_CHART_KM);
  o.font_size = fs;
  o.font_family = self->font_family;
  cairo_save (cr);
  cairo_translate (cr, kx, ky);
  traj_cohort_chart_render (self->cohort, &o, &palette, cr, kw, kh);
  cairo_restore (cr);
}

static void
draw_piece (TrajReport *self, cairo_t *cr, const Piece *p)
{
  const Block *b = p->block;
  double x = MARGIN_SIDE, width = rp_content_width (self);

  switch (b->kind)
    {
    case BLOCK_TEXT:
      show (cr, b->pl, x, p->y, rp_styles[b->style].color);
      if (b->style == STYLE_HEADING)
        hline (cr, x, x + width, p->y + b->height - 1, 0.6, RULE);
      break;
    case BLOCK_PAIR:
      {
        int rw, rh;
        pango_layout_get_pixel_size (b->pl_right, &rw, &rh);
        show (cr, b->pl, x, p->y + b->height - rp_layout_height (b->pl), rp_styles[b->style].color);
        show (cr, b->pl_right, x + width - rw, p->y + b->height - rh, rp_styles[b->right_style].color);
      }
      break;
    case BLOCK_RULE:
      hline (cr, x, x + width, p->y + 0.5, 1.0, INK_SOFT);
      break;
    case BLOCK_CALLOUT:
      cairo_rectangle (cr, x, p->y, width, b->height);
      set_rgb (cr, ALERT_FILL);
      cairo_fill (cr);
      cairo_rectangle (cr, x, p->y, 4, b->height);
      set_rgb (cr, ALERT);
      cairo_fill (cr);
      show (cr, b->pl, x + 12, p->y + 7, INK);
      break;
    case BLOCK_TABLE:
      draw_table_piece (self, cr, p, x);
      break;
    case BLOCK_PATIENT_CHART:
      {
        TrajChartOptions o;
        TrajChartPalette palette;

        traj_chart_options_init (&o);
        o.font_size = 8;
        o.font_family = self->font_family;
        o.show_title = FALSE;
        traj_chart_palette_init_print (&palette);
        cairo_save (cr);
        cairo_translate (cr, x, p->y);
        traj_chart_render (self->chart_model, &o, &palette, cr, width, p->height);
        cairo_restore (cr);
      }
      break;
    case BLOCK_COHORT_CHARTS:
      draw_cohort_charts (self, cr, x, p->y, width, p->height);
      break;
    default:
      break;
    }
}

void
traj_report_draw_page (TrajReport *self,
                       cairo_t    *cr,
                       int         page,
                       double      page_width,
                       double      page_height)
{
  GArray *pieces;
  double width, footer_y;
  g_autofree char *page_text = NULL;
  g_autoptr(PangoLayout) right = NULL;
  g_autoptr(PangoLayout) left = NULL;
  int rw, rh;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cr != NULL);

  rp_layout_for (self, page_width, page_height);
  g_return_if_fail (page >= 0 && (guint) page < self->pages->len);

  pieces = g_ptr_array_index (self->pages, page);
  cairo_save (cr);
  if (self->fit != 1.0)
    {
      self->page_w = page_width / self->fit;
      self->page_h = page_height / self->fit;
      cairo_scale (cr, self->fit, self->fit);
    }
  width = rp_content_width (self);

  if (page > 0 && self->head_pl)
    {
      double hy = MARGIN_TOP;
      show (cr, self->head_pl, MARGIN_SIDE, hy, INK_SOFT);
      hline (cr, MARGIN_SIDE, MARGIN_SIDE + width, hy + rp_layout_height (self->head_pl) + 4, 0.5, RULE);
    }

  for (guint k = 0; k < pieces->len; k++)
    draw_piece (self, cr, &g_array_index (pieces, Piece, k));

  /* Footer: who, when, and which page. */
  footer_y = self->page_h - MARGIN_BOTTOM - rp_layout_height (self->footer_pl);
  hline (cr, MARGIN_SIDE, MARGIN_SIDE + width, footer_y - 5, 0.5, RULE);
  {
    g_autofree char *m = rp_esc (self->footer_left);
    left = rp_make_layout (self, STYLE_SMALL, m, width * 0.7, PANGO_ALIGN_LEFT);
  }
  /* Translators: a report's page number: "Page 2 of 5" */
  page_text = g_strdup_printf (_("Page %d of %u"), page + 1, self->pages->len);
  {
    g_autofree char *m = rp_esc (page_text);
    right = rp_make_layout (self, STYLE_SMALL, m, 0, PANGO_ALIGN_LEFT);
  }
  pango_layout_get_pixel_size (right, &rw, &rh);
  show (cr, left, MARGIN_SIDE, footer_y, INK_SOFT);
  show (cr, right, MARGIN_SIDE + width - rw, footer_y, INK_SOFT);

  if (self->fit != 1.0)
    {
      self->page_w = page_width;
      self->page_h = page_height;
    }
  cairo_restore (cr);
}

