/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The patient's medication list and what it means for ketamine
 * (CLINICAL.md §8 "Medicines"). */
#define G_LOG_DOMAIN "traj-records"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "traj-error.h"
#include "traj-medication.h"
#include "traj-validate.h"

guint
traj_med_class_notes (TrajMedClass klass)
{
  switch (klass)
    {
    case TRAJ_MED_CLASS_BENZODIAZEPINE: return TRAJ_MED_NOTE_RESPONSE | TRAJ_MED_NOTE_SEDATION;
    case TRAJ_MED_CLASS_LAMOTRIGINE: return TRAJ_MED_NOTE_RESPONSE;
    case TRAJ_MED_CLASS_MAOI:
    case TRAJ_MED_CLASS_PSYCHOSTIMULANT: return TRAJ_MED_NOTE_BLOOD_PRESSURE;
    case TRAJ_MED_CLASS_OPIOID:
    case TRAJ_MED_CLASS_Z_DRUG: return TRAJ_MED_NOTE_SEDATION;
    case TRAJ_MED_CLASS_ANTIDEPRESSANT:
    case TRAJ_MED_CLASS_ANTIPSYCHOTIC:
    case TRAJ_MED_CLASS_LITHIUM:
    case TRAJ_MED_CLASS_OTHER:
    case TRAJ_N_MED_CLASSES:
    default:
      return 0;
    }
}

guint
traj_med_class_concomitant (TrajMedClass klass)
{
  switch (klass)
    {
    case TRAJ_MED_CLASS_BENZODIAZEPINE: return TRAJ_CONCOMITANT_BENZODIAZEPINE;
    case TRAJ_MED_CLASS_Z_DRUG: return TRAJ_CONCOMITANT_SEDATIVE;
    case TRAJ_MED_CLASS_PSYCHOSTIMULANT: return TRAJ_CONCOMITANT_STIMULANT;
    case TRAJ_MED_CLASS_MAOI: return TRAJ_CONCOMITANT_MAOI;
    case TRAJ_MED_CLASS_OPIOID: return TRAJ_CONCOMITANT_OPIOID;
    case TRAJ_MED_CLASS_LAMOTRIGINE:
    case TRAJ_MED_CLASS_ANTIDEPRESSANT:
    case TRAJ_MED_CLASS_ANTIPSYCHOTIC:
    case TRAJ_MED_CLASS_LITHIUM:
    case TRAJ_MED_CLASS_OTHER:
    case TRAJ_N_MED_CLASSES:
    default:
      return 0;
    }
}

gboolean
traj_medication_active_on (const TrajMedication *m,
                           gint32                day)
{
  return traj_medication_active_during (m, day, day);
}

gboolean
traj_medication_active_during (const TrajMedication *m,
                               gint32                from,
                               gint32                to)
{
  g_return_val_if_fail (m != NULL, FALSE);

  if (from == TRAJ_DAY_NONE || to == TRAJ_DAY_NONE || to < from)
    return FALSE;
  if (m->start_day != TRAJ_DAY_NONE && m->start_day > to)
    return FALSE;
  if (m->stop_day != TRAJ_DAY_NONE && m->stop_day < from)
    return FALSE;
  return TRUE;
}

gboolean
traj_medications_class_on (const TrajPatientRecords *r,
                           TrajMedClass              klass,
                           gint32                    day)
{
  g_return_val_if_fail (r != NULL, FALSE);

  for (guint k = 0; r->medications && k < r->medications->len; k++)
    {
      const TrajMedication *m = g_ptr_array_index (r->medications, k);
      if (m->klass == klass && traj_medication_active_on (m, day))
        return TRUE;
    }
  return FALSE;
}

guint
traj_medications_concomitant_on (const TrajPatientRecords *r,
                                 gint32                    day)
{
  guint bits = 0;

  g_return_val_if_fail (r != NULL, 0);

  for (guint k = 0; r->medications && k < r->medications->len; k++)
    {
      const TrajMedication *m = g_ptr_array_index (r->medications, k);
      if (traj_medication_active_on (m, day))
        bits |= traj_med_class_concomitant (m->klass);
    }
  return bits;
}

char *
traj_medication_note (const TrajMedication *m)
{
  const char *name;

  g_return_val_if_fail (m != NULL, NULL);

  name = m->name && *m->name ? m->name : traj_med_class_label (m->klass);
  switch (m->klass)
    {
    case TRAJ_MED_CLASS_BENZODIAZEPINE:
      /* Translators: %s is a medicine's name, as on the patient's list */
      return g_strdup_printf (_("%s (benzodiazepine) might reduce the response to ketamine "
                                "(Frye 2015; Albott 2017) and adds to sedation."), name);
    case TRAJ_MED_CLASS_LAMOTRIGINE:
      return g_strdup_printf (_("%s (lamotrigine) might reduce the response to ketamine (Anand 2000)."), name);
    case TRAJ_MED_CLASS_MAOI:
      return g_strdup_printf (_("%s (MAOI) adds to the blood-pressure risk of ketamine."), name);
    case TRAJ_MED_CLASS_PSYCHOSTIMULANT:
      return g_strdup_printf (_("%s (psychostimulant) adds to the blood-pressure risk of ketamine."), name);
    case TRAJ_MED_CLASS_OPIOID:
      return g_strdup_printf (_("%s (opioid) adds to sedation with ketamine."), name);
    case TRAJ_MED_CLASS_Z_DRUG:
      return g_strdup_printf (_("%s (z-drug) adds to sedation with ketamine."), name);
    case TRAJ_MED_CLASS_ANTIDEPRESSANT:
    case TRAJ_MED_CLASS_ANTIPSYCHOTIC:
    case TRAJ_MED_CLASS_LITHIUM:
    case TRAJ_MED_CLASS_OTHER:
    case TRAJ_N_MED_CLASSES:
    default:
      return NULL;
    }
}

GPtrArray *
traj_course_medication_notes (const TrajPatientRecords *r,
                              const TrajCourse         *course,
                              gint32                    today)
{
  GPtrArray *notes = g_ptr_array_new_with_free_func (g_free);
  char *note;
  gint32 to;

  g_return_val_if_fail (r != NULL, notes);
  if (course == NULL || course->start_day == TRAJ_DAY_NONE)
    return notes;
  to = course->end_day != TRAJ_DAY_NONE ? course->end_day : MAX (today, course->start_day);
  for (guint k = 0; r->medications && k < r->medications->len; k++)
    {
      const TrajMedication *m = g_ptr_array_index (r->medications, k);

      if (!traj_medication_active_during (m, course->start_day, to))
        continue;
      note = traj_medication_note (m);
      if (note)
        g_ptr_array_add (notes, note);
    }
  note = r->patient ? traj_substance_use_note (r->patient->substance_use) : NULL;
  if (note)
    g_ptr_array_add (notes, note);
  return notes;
}

char *
traj_substance_use_note (TrajSubstanceUse use)
{
  /* Issue 15: the clinics warn that a history of substance abuse can
   * blunt ketamine; an information note like the medicines', never a rule. */
  switch (use)
    {
    case TRAJ_SUBSTANCE_USE_PAST:
      return g_strdup (_("A past history of substance use might reduce the response to ketamine."));
    case TRAJ_SUBSTANCE_USE_CURRENT:
      return g_strdup (_("Current substance use might reduce the response to ketamine."));
    case TRAJ_SUBSTANCE_USE_UNKNOWN:
    case TRAJ_SUBSTANCE_USE_NONE:
    case TRAJ_N_SUBSTANCE_USES:
    default:
      return NULL;
    }
}

char *
traj_medication_describe (const TrajMedication *m)
{
  GString *s = g_string_new (NULL);
  g_autofree char *start = m->start_day != TRAJ_DAY_NONE ? traj_day_format (m->start_day) : NULL;
  g_autofree char *stop = m->stop_day != TRAJ_DAY_NONE ? traj_day_format (m->stop_day) : NULL;

  g_string_append (s, traj_med_class_label (m->klass));
  if (m->dose && *m->dose)
    g_string_append_printf (s, " · %s", m->dose);
  g_string_append (s, " · ");
  if (start && stop)
    /* Translators: a medicine taken from one day to another, both included */
    g_string_append_printf (s, _("%s to %s"), start, stop);
  else if (start)
    g_string_append_printf (s, _("since %s"), start);
  else if (stop)
    g_string_append_printf (s, _("until %s"), stop);
  else
    g_string_append (s, _("start not known"));
  return g_string_free (s, FALSE);
}

gboolean
traj_validate_medication (const TrajMedication *m,
                          gint32                today,
                          GError              **error)
{
  g_autofree char *name = g_strstrip (g_strdup (m->name ? m->name : ""));

  if (*name == '\0')
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_MEDICATION_NAME, _("Enter the medicine’s name."));
      return FALSE;
    }
  if (!traj_validate_text (_("Medicine"), m->name, FALSE, error) ||
      !traj_validate_text (_("Dose"), m->dose, FALSE, error))
    return FALSE;
  if ((guint) m->klass >= TRAJ_N_MED_CLASSES)
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, _("Choose the medicine’s class."));
      return FALSE;
    }
  if ((m->start_day != TRAJ_DAY_NONE && m->start_day < traj_day_from_ymd (1900, 1, 1)) ||
      (m->stop_day != TRAJ_DAY_NONE && m->stop_day < traj_day_from_ymd (1900, 1, 1)))
    {
      g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_MEDICATION_DATES,
                           _("A medicine’s date before 1900 is not plausible. Check the date."));
      return FALSE;
    }
  if (m->start_day != TRAJ_DAY_NONE && m->start_day > today)
    {
      g_autofree char *start = traj_day_format (m->start_day);
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_MEDICATION_DATES,
                   _("The start date (%s) is in the future. Add a medicine once it is started."), start);
      return FALSE;
    }
  if (m->start_day != TRAJ_DAY_NONE && m->stop_day != TRAJ_DAY_NONE && m->stop_day < m->start_day)
    {
      g_autofree char *start = traj_day_format (m->start_day);
      g_autofree char *stop = traj_day_format (m->stop_day);
      g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_MEDICATION_DATES,
                   _("The stop date (%s) is before the start date (%s)."), stop, start);
      return FALSE;
    }
  return TRUE;
}

/* Common generic and brand names per class (CLINICAL.md §8's classes);
 * what is not here is left for the person to choose. */
static const struct {
  TrajMedClass klass;
  const char *names;
} known_names[] = {
  { TRAJ_MED_CLASS_BENZODIAZEPINE, "alprazolam bromazepam chlordiazepoxide clobazam clonazepam clorazepate diazepam "
                                   "estazolam flurazepam lorazepam midazolam nitrazepam oxazepam temazepam triazolam "
                                   "xanax klonopin rivotril valium ativan restoril" },
  { TRAJ_MED_CLASS_Z_DRUG, "zolpidem zopiclone eszopiclone zaleplon ambien stilnoct lunesta sonata" },
  { TRAJ_MED_CLASS_LAMOTRIGINE, "lamotrigine lamictal" },
  { TRAJ_MED_CLASS_PSYCHOSTIMULANT, "methylphenidate amphetamine dexamfetamine dextroamphetamine lisdexamfetamine "
                                    "modafinil armodafinil adderall ritalin concerta vyvanse elvanse" },
  { TRAJ_MED_CLASS_MAOI, "phenelzine tranylcypromine isocarboxazid selegiline moclobemide nardil parnate marplan emsam" },
  { TRAJ_MED_CLASS_OPIOID, "morphine oxycodone hydrocodone codeine tramadol tapentadol fentanyl buprenorphine "
                           "methadone hydromorphone oxymorphone" },
  { TRAJ_MED_CLASS_ANTIDEPRESSANT, "sertraline fluoxetine paroxetine citalopram escitalopram fluvoxamine venlafaxine "
                                   "desvenlafaxine duloxetine bupropion mirtazapine trazodone vortioxetine vilazodone "
                                   "amitriptyline nortriptyline imipramine clomipramine desipramine doxepin agomelatine "
                                   "zoloft prozac paxil celexa lexapro effexor cymbalta wellbutrin remeron" },
  { TRAJ_MED_CLASS_ANTIPSYCHOTIC, "quetiapine olanzapine risperidone aripiprazole brexpiprazole cariprazine lurasidone "
                                  "ziprasidone haloperidol clozapine paliperidone seroquel zyprexa abilify" },
  { TRAJ_MED_CLASS_LITHIUM, "lithium priadel camcolit" },
};

gboolean
traj_med_class_from_name (const char *name, TrajMedClass *out)
{
  g_autofree char *lower = NULL;
  const char *end;

  if (name == NULL)
    return FALSE;
  while (g_ascii_isspace (*name))
    name++;
  for (end = name; *end && (g_ascii_isalpha (*end) || *end == '-'); end++)
    ;
  if (end == name)
    return FALSE;
  lower = g_ascii_strdown (name, end - name);
  for (guint k = 0; k < G_N_ELEMENTS (known_names); k++)
    {
      g_auto(GStrv) words = g_strsplit (known_names[k].names, " ", -1);
      if (g_strv_contains ((const char * const *) words, lower))
        {
          if (out)
            *out = known_names[k].klass;
          return TRUE;
        }
    }
  return FALSE;
}
