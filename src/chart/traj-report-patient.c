/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-report"

#include "config.h"

#include "traj-report-private.h"

/* The patient report's blocks: identity, the safety callout, the course,
 * outcomes, the chart, findings, infusions and scores. */

static void
add_identity (TrajReport *self, const TrajPatientRecords *r, const TrajReportOptions *options, const char *title)
{
  const TrajPatient *p = r->patient;
  GPtrArray *facts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL, *joined = NULL;
  Block *b;

  b = rp_add_block (self, BLOCK_PAIR, STYLE_KICKER,
                 rp_esc (options->clinic_name && *options->clinic_name ? options->clinic_name : _("Trajectory")), 0);
  b->right = rp_esc (title);
  b->right_style = STYLE_KICKER;
  rp_add_block (self, BLOCK_RULE, STYLE_BODY, NULL, 4);

  b = rp_add_block (self, BLOCK_PAIR, STYLE_TITLE, rp_esc (p->name), 10);
  /* Translators: the medical record number on a report: "MRN 1000024" */
  line = g_strdup_printf (_("MRN %s"), p->mrn);
  b->right = rp_bold (line);
  b->right_style = STYLE_HEADING;

  if (p->birth_day != TRAJ_DAY_NONE)
    {
      g_autofree char *born = traj_day_format (p->birth_day);
      int age = traj_age_years (p->birth_day, traj_day_from_time (options->generated_at));
      /* Translators: "Born 5 Jul 1961 (64 years)" */
      g_ptr_array_add (facts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Born %s (%d year)", "Born %s (%d years)", age),
                                               born, age));
    }
  g_ptr_array_add (facts, g_strdup (p->sex == TRAJ_SEX_UNKNOWN ? _("Sex not recorded") : traj_sex_label (p->sex)));
  if (traj_indication_detail_label (p->indication_detail))
    /* Translators: an indication with its detail: "Chronic pain (Fibromyalgia)" */
    g_ptr_array_add (facts, g_strdup_printf (_("%s (%s)"), traj_indication_label (p->indication),
                                             traj_indication_detail_label (p->indication_detail)));
  else
    g_ptr_array_add (facts, g_strdup (traj_indication_label (p->indication)));
  /* Issue 15: as the page header says it, once recorded. */
  if (p->substance_use != TRAJ_SUBSTANCE_USE_UNKNOWN)
    /* Translators: on a report's header: "History of substance use: In the past" */
    g_ptr_array_add (facts, g_strdup_printf (_("History of substance use: %s"),
                                             traj_substance_use_label (p->substance_use)));
  g_ptr_array_add (facts, NULL);
  joined = g_strjoinv (" · ", (char **) facts->pdata);
  rp_add_text (self, STYLE_BODY, rp_esc (joined), 2);
  g_ptr_array_unref (facts);
}

static gboolean
course_has_infusion (const TrajPatientRecords *r, gint64 course_id)
{
  for (guint k = 0; k < r->infusions->len; k++)
    if (((const TrajInfusion *) g_ptr_array_index (r->infusions, k))->course_id == course_id)
      return TRUE;
  return FALSE;
}

static void
add_course_summary (TrajReport *self, const TrajPatientRecords *r, const TrajOutcomes *o, const TrajCourse *c)
{
  Table *t;
  int n = 0, by_phase[TRAJ_N_PHASES] = { 0 };
  gint64 first = TRAJ_TIME_NONE, last = TRAJ_TIME_NONE;
  gboolean nasal = FALSE;
  const TrajOutcome *primary = c ? traj_outcomes_find (o, c->id, c->primary_scale) : NULL;
  g_autofree char *start = NULL, *end = NULL, *count = NULL, *phases = NULL, *induction = NULL;
  g_autofree char *first_s = NULL, *last_s = NULL, *scale = NULL;
  GPtrArray *parts;
  guint earlier = 0;

  rp_add_heading (self, _("Current course"));
  if (c == NULL)
    {
      rp_add_text (self, STYLE_BODY, rp_esc (_("No treatment course has been recorded.")), 2);
      return;
    }

  for (guint k = 0; k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      if (i->course_id != c->id)
        continue;
      n++;
      by_phase[i->phase]++;
      if (first == TRAJ_TIME_NONE)
        first = i->started_at;
      last = i->started_at;
      /* Esketamine is a nasal spray: its treatments are sessions, as the
       * patient page calls them (by the course's latest record). */
      nasal = i->route == TRAJ_ROUTE_INTRANASAL;
    }
  for (guint k = 0; k < r->courses->len; k++)
    if (g_ptr_array_index (r->courses, k) != c)
      earlier++;

  start = traj_day_format (c->start_day);
  end = c->end_day != TRAJ_DAY_NONE ? traj_day_format (c->end_day) : g_strdup (_("Ongoing"));
  parts = g_ptr_array_new_with_free_func (g_free);
  for (guint ph = 0; ph < TRAJ_N_PHASES; ph++)
    if (by_phase[ph] > 0)
      g_ptr_array_add (parts, g_strdup_printf ("%d %s", by_phase[ph], traj_phase_label (ph)));
  g_ptr_array_add (parts, NULL);
  {
    g_autofree char *joined = g_strjoinv (", ", (char **) parts->pdata);
    count = n > 0 ? g_strdup_printf ("%d (%s)", n, joined) : g_strdup (_("None yet"));
  }
  g_ptr_array_unref (parts);
  {
    int len = primary ? primary->induction_length : c->induction_length;
    if (primary && primary->induction_end_day != TRAJ_DAY_NONE)
      {
        g_autofree char *d = traj_day_format (primary->induction_end_day);
        if (nasal)
          /* Translators: "6 sessions, completed 14 Jan 2026" (esketamine nasal spray) */
          induction = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d session, completed %s",
                                                    "%d sessions, completed %s", len), len, d);
        else
          /* Translators: "6 infusions, completed 14 Jan 2026" */
          induction = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d infusion, completed %s",
                                                    "%d infusions, completed %s", len), len, d);
      }
    else if (nasal)
      /* Translators: "6 sessions, 4 given so far" (esketamine nasal spray) */
      induction = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d session, %d given so far",
                                                "%d sessions, %d given so far", len), len, MIN (n, len));
    else
      /* Translators: "6 infusions, 4 given so far" */
      induction = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d infusion, %d given so far",
                                                "%d infusions, %d given so far", len), len, MIN (n, len));
  }
  first_s = first != TRAJ_TIME_NONE ? rp_day_text (first) : g_strdup ("—");
  last_s = last != TRAJ_TIME_NONE ? rp_day_text (last) : g_strdup ("—");
  scale = rp_scale_name (c->primary_scale);

  t = rp_add_table (self, NULL, 4,
                 "", FALSE, PANGO_ALIGN_LEFT, "", TRUE, PANGO_ALIGN_LEFT,
                 "", FALSE, PANGO_ALIGN_LEFT, "", TRUE, PANGO_ALIGN_LEFT, NULL);
  t->plain = TRUE;
#define PAIR(l1, v1, l2, v2)                                                              \
  G_STMT_START {                                                                          \
    g_autofree char *a = rp_bold (l1), *b = rp_esc (v1), *cc = rp_bold (l2), *d = rp_esc (v2);        \
    rp_table_add_row (t, rp_cells (a, b, cc, d, NULL));                                         \
  } G_STMT_END
  PAIR (_("Indication"), traj_indication_label (c->indication), _("Status"), traj_course_status_label (c->status));
  PAIR (_("Protocol"), c->protocol && *c->protocol ? c->protocol : _("Not recorded"), _("Primary scale"), scale);
  PAIR (_("Started"), start, _("Ended"), end);
  PAIR (nasal ? _("Sessions") : _("Infusions"), count, _("Induction"), induction);
  PAIR (nasal ? _("First session") : _("First infusion"), first_s,
        nasal ? _("Latest session") : _("Latest infusion"), last_s);
#undef PAIR
  if (earlier > 0)
    {
      GString *s = g_string_new (NULL);

      for (guint k = 0; k < r->courses->len; k++)
        {
          const TrajCourse *e = g_ptr_array_index (r->courses, k);
          g_autofree char *a = NULL, *z = NULL;

          if (e == c)
            continue;
          a = traj_day_format (e->start_day);
          z = e->end_day != TRAJ_DAY_NONE ? traj_day_format (e->end_day) : g_strdup (_("ongoing"));
          if (s->len)
            g_string_append (s, "; ");
          /* Translators: an earlier course: "Depression, 3 Mar 2024 – 5 Jun 2024" */
          g_string_append_printf (s, _("%s, %s – %s"), traj_indication_label (e->indication), a, z);
          if (!course_has_infusion (r, e->id))
            g_string_append_printf (s, " (%s)", _("no infusions"));
        }
      {
        g_autofree char *label = rp_bold (g_dngettext (GETTEXT_PACKAGE, "Other course", "Other courses", earlier));
        g_autofree char *value = rp_esc (s->str);
        rp_table_add_row (t, rp_cells (label, value, "", "", NULL));
      }
      g_string_free (s, TRUE);
    }
}

static char *
response_cell (const TrajOutcome *o)
{
  g_autofree char *thr = NULL, *when = NULL, *main = NULL, *second = NULL;

  if (!o->response_computable)
    return rp_two_lines (_("Not computable"), o->no_baseline_reason);
  thr = g_strdup_printf ("%d", traj_response_max_score (o->response_threshold));
  if (o->response_reached)
    {
      when = rp_day_text (o->response_at);
      /* Translators: response reached: "Yes, 3 Mar 2026" */
      main = g_strdup_printf (_("Yes, %s"), when);
      /* Translators: "≤ 9; holds now" / "≤ 9; not held now" */
      second = g_strdup_printf (o->response_held ? _("≤ %s; holds now") : _("≤ %s; not held now"), thr);
    }
  else
    {
      main = g_strdup (_("Not reached"));
      /* Translators: the response threshold: "needs ≤ 9" */
      second = g_strdup_printf (_("needs ≤ %s"), thr);
    }
  return rp_two_lines (main, second);
}

static char *
remission_cell (const TrajOutcome *o)
{
  g_autofree char *main = NULL, *second = NULL;

  if (!o->remission_computable)
    return rp_two_lines (_("Not computable"), _("no baseline"));
  if (o->remission_reached)
    {
      g_autofree char *when = rp_day_text (o->remission_at);
      main = g_strdup_printf (_("Yes, %s"), when);
      second = g_strdup_printf ("≤ %d", o->remission_max);
    }
  else
    {
      main = g_strdup (_("Not reached"));
      second = g_strdup_printf (_("needs ≤ %d"), o->remission_max);
    }
  return rp_two_lines (main, second);
}

static char *
score_cell (TrajScaleId scale, gboolean has, int value, gint64 at)
{
  const TrajScale *s = traj_scale_get (scale);
  const char *band;
  g_autofree char *main = NULL, *when = NULL, *second = NULL;

  if (!has)
    return rp_esc ("—");
  band = s ? traj_scale_band_label (s, value) : NULL;
  main = band ? g_strdup_printf ("%d · %s", value, band) : g_strdup_printf ("%d", value);
  when = rp_day_text (at);
  return rp_two_lines (main, when);
}

static void
add_outcomes (TrajReport *self, const TrajOutcomes *o, const TrajCourse *c, const TrajThresholds *t)
{
  Table *table;
  guint n = 0;

  if (c == NULL)
    return;
  for (guint k = 0; k < o->outcomes->len; k++)
    if (((const TrajOutcome *) g_ptr_array_index (o->outcomes, k))->course_id == c->id)
      n++;
  if (n == 0)
    return;

  table = rp_add_table (self, _("Outcomes of the current course"), 16,
                     _("Scale"), FALSE, PANGO_ALIGN_LEFT,
                     _("Baseline"), TRUE, PANGO_ALIGN_LEFT,
                     _("Latest"), TRUE, PANGO_ALIGN_LEFT,
                     _("Change"), FALSE, PANGO_ALIGN_LEFT,
                     _("Response"), TRUE, PANGO_ALIGN_LEFT,
                     _("Remission"), TRUE, PANGO_ALIGN_LEFT, NULL);
  for (guint k = 0; k < o->outcomes->len; k++)
    {
      const TrajOutcome *out = g_ptr_array_index (o->outcomes, k);
      g_autofree char *name = NULL, *scale = NULL, *base = NULL, *latest = NULL, *change = NULL;
      g_autofree char *resp = NULL, *rem = NULL;

      if (out->course_id != c->id)
        continue;
      name = rp_scale_name (out->scale);
      if (out->is_primary)
        {
          g_autofree char *tag = rp_soft (_("primary"));
          g_autofree char *b = rp_bold (name);
          scale = g_strdup_printf ("%s\n%s", b, tag);
        }
      else
        scale = rp_esc (name);
      base = out->has_baseline ? score_cell (out->scale, TRUE, out->baseline, out->baseline_at)
                               : rp_two_lines ("—", out->no_baseline_reason);
      latest = score_cell (out->scale, out->has_latest, out->latest, out->latest_at);
      if (out->has_change)
        {
          g_autofree char *pct = isnan (out->change_percent) ? NULL
                                 : rp_signed_text (out->change_percent, 0, " %");
          g_autofree char *pts = rp_signed_text (out->change_points, 0, NULL);
          change = rp_two_lines (pts, pct);
        }
      else
        change = rp_esc ("—");
      resp = response_cell (out);
      rem = remission_cell (out);
      rp_table_add_row (table, rp_cells (scale, base, latest, change, resp, rem, NULL));
    }
  {
    g_autoptr(GString) shares = g_string_new (NULL);
    g_autofree char *note = NULL;

    /* The response share of each scale shown (R is per scale). */
    for (const TrajScale *sc = traj_scale_next_outcome (NULL); sc; sc = traj_scale_next_outcome (sc))
      {
        gboolean shown = FALSE;
        for (guint k = 0; k < o->outcomes->len; k++)
          {
            const TrajOutcome *out = g_ptr_array_index (o->outcomes, k);
            shown |= out->course_id == c->id && out->scale == sc->id;
          }
        if (shown)
          {
            g_autofree char *pct = rp_number_text (100 * t->response_fraction[sc->id], 0);
            if (shares->len)
              g_string_append (shares, _(", "));
            /* Translators: a scale's response share: "PHQ-9 50 %" */
            g_string_append_printf (shares, _("%s %s %%"), _(sc->name), pct);
          }
      }
    note = g_strdup_printf (_("Baseline: the last complete score up to %d days before the course’s first "
                              "infusion. Response: a score at or below a share of baseline after the first "
                              "infusion (%s). Remission: a score at or below the scale’s cut-off."),
                            t->baseline_window_days, shares->str);
    rp_add_text (self, STYLE_SMALL, rp_esc (note), 3);
  }
}

static char *
decision_text (const TrajFinding *f)
{
  const TrajFlagDecision *d = f->decision;
  GString *s = g_string_new (NULL);
  g_autofree char *when = NULL;

  if (f->open)
    {
      g_string_free (s, TRUE);
      return rp_alert (_("Open"), TRUE);
    }
  if (f->closed_by == TRAJ_CLOSED_BY_DECISION && d)
    {
      g_autofree char *label = rp_bold (traj_decision_label (d->decision));
      when = rp_day_text (d->decided_at);
      g_string_append (s, label);
      {
        g_autofree char *by = NULL;
        if (d->decided_by && *d->decided_by)
          /* Translators: who recorded a decision and when: "Dr Ana Silva, 3 Mar 2026" */
          by = g_strdup_printf (_("%s, %s"), d->decided_by, when);
        else
          by = g_strdup (when);
        g_autofree char *b = rp_esc (by);
        g_string_append_printf (s, "\n%s", b);
      }
      if (d->note && *d->note)
        {
          g_autofree char *note = rp_soft (d->note);
          g_string_append_printf (s, "\n%s", note);
        }
    }
  else
    {
      /* Closed by an infusion or by later scores. */
      g_autofree char *closed = traj_finding_describe_closed (f);
      g_autofree char *text = rp_esc (closed);
      g_string_append (s, text);
    }
  return g_string_free (s, FALSE);
}

static void
add_findings (TrajReport *self, const TrajOutcomes *o)
{
  Table *t = NULL;

  for (guint pass = 0; pass < 2; pass++)
    for (guint k = 0; k < o->findings->len; k++)
      {
        const TrajFinding *f = g_ptr_array_index (o->findings, k);
        g_autofree char *date = NULL, *what = NULL, *status = NULL, *kind = NULL, *sentence = NULL;

        /* Open findings first, then the closed ones: decided, or superseded
         * by an infusion or later scores (a referrer sees each). */
        if (pass == 0 ? !f->open : f->open)
          continue;
        if (t == NULL)
          {
            t = rp_add_table (self, _("Findings and decisions"), 16,
                           _("Date"), FALSE, PANGO_ALIGN_LEFT,
                           _("Finding"), TRUE, PANGO_ALIGN_LEFT,
                           _("Status"), FALSE, PANGO_ALIGN_LEFT, NULL);
            /* Who decided and when on a line or two, not a narrow strip. */
            t->columns[2].max_width = 130;
          }
        date = rp_day_text (f->fired_at);
        kind = f->kind == TRAJ_FINDING_SAFETY && f->open ? rp_alert (traj_finding_kind_label (f->kind), TRUE)
                                                         : rp_bold (traj_finding_kind_label (f->kind));
        sentence = rp_esc (f->sentence);
        what = g_strdup_printf ("%s\n%s", kind, sentence);
        status = decision_text (f);
        rp_table_add_row (t, rp_cells (date, what, status, NULL));
      }
  if (t == NULL)
    {
      rp_add_heading (self, _("Findings and decisions"));
      rp_add_text (self, STYLE_BODY, rp_esc (_("No findings.")), 2);
    }
  rp_add_text (self, STYLE_SMALL,
            rp_esc (_("Booster and no-response findings follow the app’s rule with the clinic’s thresholds: decision "
                   "support for a conversation, never an order. Safety and monitoring findings are always on.")), 3);
}

static gboolean
infusion_has_monitoring (const TrajOutcomes *o, const TrajInfusion *i)
{
  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      if (f->kind == TRAJ_FINDING_MONITORING && f->record_uids && i->uid &&
          g_strv_contains ((const char * const *) f->record_uids, i->uid))
        return TRUE;
    }
  return FALSE;
}

static char *
course_group_label (const TrajPatientRecords *r, gint64 course_id)
{
  const TrajCourse *c = traj_patient_records_find_course (r, course_id);
  g_autofree char *start = NULL, *text = NULL;

  if (c == NULL)
    return rp_bold (_("Not in a course"));
  start = traj_day_format (c->start_day);
  if (c->protocol && *c->protocol)
    /* Translators: a course heading in a table: "Course from 3 Jan 2026 · Depression · IV 0.5 mg/kg ×6" */
    text = g_strdup_printf (_("Course from %s · %s · %s"), start, traj_indication_label (c->indication), c->protocol);
  else
    text = g_strdup_printf (_("Course from %s · %s"), start, traj_indication_label (c->indication));
  return rp_bold (text);
}

static gboolean
needs_course_groups (const TrajPatientRecords *r)
{
  return r->courses->len > 1;
}

static void
add_infusions (TrajReport *self, const TrajPatientRecords *r, const TrajOutcomes *o)
{
  Table *t;
  gint64 course = -1;
  int number = 0;
  gboolean any_monitoring = FALSE, groups = needs_course_groups (r);

  guint n_nasal = 0;
  const char *heading;

  if (r->infusions->len == 0)
    {
      rp_add_heading (self, _("Infusions"));
      rp_add_text (self, STYLE_BODY, rp_esc (_("No infusion has been recorded.")), 2);
      return;
    }
  /* Nasal spray is given in sessions (the course block says so too). */
  for (guint k = 0; k < r->infusions->len; k++)
    if (((const TrajInfusion *) g_ptr_array_index (r->infusions, k))->route == TRAJ_ROUTE_INTRANASAL)
      n_nasal++;
  heading = n_nasal == 0 ? _("Infusions")
            : n_nasal == r->infusions->len ? _("Sessions")
            : _("Infusions and sessions");
  t = rp_add_table (self, heading, 16,
                 "#", FALSE, PANGO_ALIGN_RIGHT,
                 _("Date"), FALSE, PANGO_ALIGN_LEFT,
                 _("Route"), TRUE, PANGO_ALIGN_LEFT,
                 _("Dose"), FALSE, PANGO_ALIGN_LEFT,
                 _("Phase"), FALSE, PANGO_ALIGN_LEFT,
                 _("BP peak"), FALSE, PANGO_ALIGN_LEFT,
                 _("Side effects"), TRUE, PANGO_ALIGN_LEFT, NULL);
  for (guint k = 0; k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      g_autofree char *num = NULL, *date = NULL, *route = NULL, *dose = NULL, *phase = NULL, *bp = NULL, *side = NULL;
      int sys, dia;

      if (i->course_id != course)
        {
          course = i->course_id;
          number = 0;
          if (groups)
            rp_table_add_group (t, course_group_label (r, course));
        }
      number++;
      num = g_strdup_printf ("%d", number);
      {
        g_autofree char *d = rp_day_text (i->started_at);
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (i->started_at);
        g_autofree char *time = dt ? g_date_time_format (dt, "%H:%M") : NULL;
        date = rp_two_lines (d, time);
      }
      route = rp_two_lines (traj_route_label (i->route), traj_medicine_label (i->medicine));
      {
        g_autofree char *mg = rp_number_text (i->total_mg, 1);
        g_autofree char *total = g_strdup_printf (_("%s mg"), mg);
        if (i->dose_mg_per_kg > 0)
          {
            g_autofree char *per = rp_number_text (i->dose_mg_per_kg, 2);
            g_autofree char *per_kg = g_strdup_printf (_("%s mg/kg"), per);
            dose = rp_two_lines (per_kg, total);
          }
        else
          dose = rp_esc (total);
      }
      phase = i->phase == TRAJ_PHASE_BOOSTER ? rp_bold (traj_phase_label (i->phase)) : rp_esc (traj_phase_label (i->phase));
      if (traj_infusion_bp_peak (i, &sys, &dia))
        {
          g_autofree char *v = g_strdup_printf ("%d/%d", sys, dia);
          if (infusion_has_monitoring (o, i))
            {
              g_autofree char *starred = g_strdup_printf ("%s *", v);
              bp = rp_alert (starred, TRUE);
              any_monitoring = TRUE;
            }
          else
            bp = rp_esc (v);
        }
      else if (infusion_has_monitoring (o, i))
        {
          bp = rp_alert ("— *", TRUE);
          any_monitoring = TRUE;
        }
      else
        bp = rp_esc ("—");
      {
        GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
        g_autofree char *joined = NULL;

        for (guint b = 0; b < TRAJ_N_SIDE_EFFECTS; b++)
          if (i->side_effects & (1u << b))
            g_ptr_array_add (parts, g_strdup (traj_side_effect_label (b)));
        g_ptr_array_add (parts, NULL);
        joined = g_strjoinv (", ", (char **) parts->pdata);
        g_ptr_array_unref (parts);
        if (*joined == '\0')
          side = rp_esc (_("None recorded"));
        else
          side = rp_two_lines (joined, i->side_effect_note);
      }
      rp_table_add_row (t, rp_cells (num, date, route, dose, phase, bp, side, NULL));
    }
  if (any_monitoring)
    rp_add_text (self, STYLE_SMALL,
              rp_esc (_("* Vital signs crossed a monitoring limit during this infusion (see Findings and decisions).")), 3);
}

static void
add_scores (TrajReport *self, const TrajPatientRecords *r, const TrajOutcomes *o)
{
  Table *t;
  gint64 course = -1;
  gboolean groups = needs_course_groups (r);

  if (r->assessments->len == 0)
    {
      rp_add_heading (self, _("Scores"));
      rp_add_text (self, STYLE_BODY, rp_esc (_("No score has been recorded.")), 2);
      return;
    }
  t = rp_add_table (self, _("Scores"), 16,
                 _("Date"), FALSE, PANGO_ALIGN_LEFT,
                 _("Scale"), FALSE, PANGO_ALIGN_LEFT,
                 _("Score"), FALSE, PANGO_ALIGN_RIGHT,
                 _("Severity"), FALSE, PANGO_ALIGN_LEFT,
                 _("From baseline"), FALSE, PANGO_ALIGN_LEFT,
                 _("Taken"), FALSE, PANGO_ALIGN_LEFT,
                 _("Notes"), TRUE, PANGO_ALIGN_LEFT, NULL);
  for (guint k = 0; k < r->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
      const TrajScale *s = traj_scale_get (a->scale);
      const TrajOutcome *out = a->course_id ? traj_outcomes_find (o, a->course_id, a->scale) : NULL;
      g_autofree char *date = NULL, *scale = NULL, *score = NULL, *band = NULL, *change = NULL;
      g_autofree char *taken = NULL, *notes = NULL;
      GString *n = g_string_new (NULL);

      if (groups && a->course_id != course)
        {
          course = a->course_id;
          rp_table_add_group (t, course_group_label (r, course));
        }
      date = rp_day_text (a->taken_at);
      scale = rp_scale_name (a->scale);
      if (a->complete)
        {
          const char *b = s ? traj_scale_band_label (s, a->total) : NULL;
          score = g_strdup_printf ("<b>%d</b>", a->total);
          band = rp_esc (b ? b : "—");
        }
      else
        {
          guint answered = 0;
          g_autofree char *d = NULL;

          for (guint i = 0; s && i < s->n_items; i++)
            if (a->items[i] >= 0)
              answered++;
          score = rp_esc ("—");
          /* Translators: an incomplete questionnaire: "Draft: 5 of 9 items answered" */
          d = g_strdup_printf (_("Draft: %u of %u items answered"), answered, s ? s->n_items : 0);
          band = rp_soft (d);
        }
      if (a->complete && out && out->has_baseline)
        {
          if (a->taken_at == out->baseline_at && a->total == out->baseline)
            change = rp_esc (_("Baseline"));
          else if (a->taken_at > out->baseline_at)
            {
              g_autofree char *pts = rp_signed_text (a->total - out->baseline, 0, NULL);
              g_autofree char *pct = out->baseline > 0
                                     ? rp_signed_text (100.0 * (a->total - out->baseline) / out->baseline, 0, " %")
                                     : NULL;
              g_autofree char *v = pct ? g_strdup_printf ("%s (%s)", pts, pct) : g_strdup (pts);
              change = rp_esc (v);
            }
        }
      if (change == NULL)
        change = rp_esc ("");
      {
        g_autofree char *timing = rp_esc (traj_timing_label (a->timing));
        g_autofree char *src = rp_soft (traj_source_label (a->source));
        taken = g_strdup_printf ("%s · %s", timing, src);
      }
      if (traj_assessment_safety_answer (a) > 0)
        {
          int given = traj_assessment_safety_answer (a), now = traj_scale_safety_answer (a->scale, a->items);
          guint item = traj_scale_get (a->scale)->safety_item;
          /* Translators: PHQ-9 item 9 answered above 0: "Item 9 answered 2 (safety)"; or answered 2 on the
           * tablet and then changed: "Item 9 answered 2, later changed to 0 (safety)" */
          g_autofree char *i9 = now < given ? g_strdup_printf (_("Item %u answered %d, later changed to %d (safety)"),
                                                               item, given, now)
                                            : g_strdup_printf (_("Item %u answered %d (safety)"), item, given);
          g_autofree char *m = rp_alert (i9, TRUE);
          g_string_append (n, m);
        }
      if (a->notes && *a->notes)
        {
          g_autofree char *note = rp_esc (a->notes);
          if (n->len)
            g_string_append_c (n, '\n');
          g_string_append (n, note);
        }
      notes = g_string_free (n, FALSE);
      rp_table_add_row (t, rp_cells (date, scale, score, band, change, taken, notes, NULL));
    }
}

/* The suicidal-ideation risk flag (CLINICAL.md §8) and the open safety
 * findings and monitoring events, which a clinician has not yet
 * acknowledged, in a callout on the first page. The flag is worded as on the
 * patient page, so a referring doctor reads what the clinic reads. */
static void
add_safety_callout (TrajReport *self, const TrajPatient *p, const TrajOutcomes *o)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autofree char *head = NULL, *risk = NULL;
  guint n_safety = 0, n_monitoring = 0;

  if (p->risk_si_at != TRAJ_TIME_NONE)
    {
      g_autofree char *on = traj_time_format (p->risk_si_at);
      g_autofree char *line = NULL;

      /* Translators: "Risk flag: suicidal ideation · set by Dr Ana Silva on 3 Mar 2026, 14:05" */
      line = g_strdup_printf (_("Risk flag: suicidal ideation · set by %s on %s"),
                              p->risk_si_by && *p->risk_si_by ? p->risk_si_by : _("unknown"), on);
      risk = rp_bold (line);
    }

  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      g_autofree char *kind = NULL, *sentence = NULL;

      if (!f->open || (f->kind != TRAJ_FINDING_SAFETY && f->kind != TRAJ_FINDING_MONITORING))
        continue;
      if (f->kind == TRAJ_FINDING_SAFETY)
        n_safety++;
      else
        n_monitoring++;
      kind = rp_bold (traj_finding_kind_label (f->kind));
      sentence = rp_esc (f->sentence);
      /* Translators: a line of the report's safety callout: "Monitoring event: Systolic 195 …" */
      g_string_append_c (lines, '\n');
      g_string_append_printf (lines, _("%s: %s"), kind, sentence);
    }
  if (n_safety + n_monitoring == 0)
    {
      if (risk)
        rp_add_block (self, BLOCK_CALLOUT, STYLE_BODY, g_steal_pointer (&risk), 12);
      return;
    }
  if (n_monitoring == 0)
    head = rp_bold (g_dngettext (GETTEXT_PACKAGE, "Open safety finding — a clinician has not yet acknowledged it:",
                              "Open safety findings — a clinician has not yet acknowledged them:", n_safety));
  else if (n_safety == 0)
    head = rp_bold (g_dngettext (GETTEXT_PACKAGE, "Open monitoring event — a clinician has not yet acknowledged it:",
                              "Open monitoring events — a clinician has not yet acknowledged them:", n_monitoring));
  else
    head = rp_bold (_("Open safety findings and monitoring events — a clinician has not yet acknowledged them:"));
  rp_add_block (self, BLOCK_CALLOUT, STYLE_BODY,
                g_strconcat (risk ? risk : "", risk ? "\n" : "", head, lines->str, NULL), 12);
}

TrajReport *
traj_report_patient_new (const TrajPatientRecords *records,
                         const TrajOutcomes       *outcomes,
                         const TrajReportOptions  *options)
{
  TrajReport *self;
  TrajReportOptions opts;
  TrajThresholds thresholds;
  const TrajCourse *course;
  g_autofree char *generated = NULL;

  g_return_val_if_fail (records != NULL && records->patient != NULL, NULL);
  g_return_val_if_fail (outcomes != NULL, NULL);

  /* The thresholds only word the notes; the figures are the engine's. */
  traj_thresholds_init_defaults (&thresholds);

  self = rp_report_new (REPORT_PATIENT, options, &opts);
  generated = rp_generated_text (opts.generated_at);
  if (opts.prepared_by && *opts.prepared_by)
    /* Translators: a report's footer: "MRN 1000024 · Generated 3 Mar 2026, 14:05 · Dr Ana Silva" */
    self->footer_left = g_strdup_printf (_("MRN %s · %s · %s"), records->patient->mrn, generated, opts.prepared_by);
  else
    /* Translators: a report's footer: "MRN 1000024 · Generated 3 Mar 2026, 14:05" */
    self->footer_left = g_strdup_printf (_("MRN %s · %s"), records->patient->mrn, generated);
  /* Translators: over a report's later pages: "Ada Xu · MRN 1000024 · Patient progress report" */
  self->running_head = g_strdup_printf (_("%s · MRN %s · %s"), records->patient->name, records->patient->mrn,
                                        _("Patient progress report"));

  course = traj_patient_records_current_course (records);
  add_identity (self, records, &opts, _("Patient progress report"));
  add_safety_callout (self, records->patient, outcomes);
  add_course_summary (self, records, outcomes, course);
  add_outcomes (self, outcomes, course, &thresholds);

  /* The picture before the detail: the chart is what a referring doctor
   * reads first, so it goes on the first page when it can. */
  self->chart_model = traj_chart_model_new_from_records (records, outcomes);
  if (!traj_chart_model_is_empty (self->chart_model))
    {
      rp_add_heading (self, _("Trajectory"));
      rp_add_block (self, BLOCK_PATIENT_CHART, STYLE_SMALL, NULL, 4);
    }

  add_findings (self, outcomes);

  add_infusions (self, records, outcomes);
  add_scores (self, records, outcomes);

  return self;
}

