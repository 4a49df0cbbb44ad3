#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The export-then-pandas peer of bench-cohort: what a clinic lead would
script on the CSV export (docs/csv-format.md) to get a cohort by
indication. It computes a subset of the app's figures (courses, patients,
infusions, baseline and latest primary score, change, response and
remission with the default thresholds, PHQ-9 item 9 answers above 0, vital
signs crossing a default limit), so the ratio it gives the app is a
conservative one. Usage: cohort-pandas.py CSV_DIR OUT [STATS]: the table
to OUT, this process's peak memory (VmHWM, kB) to STATS."""
import sys

import pandas as pd

RESPONSE = {'phq9': 0.5, 'gad7': 0.5, 'pain_nrs': 0.5, 'pcl5': 0.5, 'madrs': 0.5, 'ybocs': 0.65}
REMISSION = {'phq9': 4, 'gad7': 4, 'pain_nrs': 3, 'pcl5': 32, 'madrs': 10, 'ybocs': 12}

d = sys.argv[1]
courses = pd.read_csv(f'{d}/courses.csv', usecols=['uid', 'patient_uid', 'indication', 'primary_scale'])
infusions = pd.read_csv(f'{d}/infusions.csv', usecols=['uid', 'course_uid'])
vitals = pd.read_csv(f'{d}/vital_signs.csv',
                     usecols=['infusion_uid', 'systolic', 'diastolic', 'heart_rate', 'spo2', 'resp_rate'])
scores = pd.read_csv(f'{d}/assessments.csv',
                     usecols=['course_uid', 'scale', 'taken_at', 'complete', 'total', 'item_9'])

scores = scores[scores['complete'] == 1]
primary = scores.merge(courses[['uid', 'primary_scale']], left_on='course_uid', right_on='uid')
primary = primary[primary['scale'] == primary['primary_scale']].sort_values('taken_at')
g = primary.groupby('course_uid')['total']
per_course = pd.DataFrame({'baseline': g.first(), 'latest': g.last(), 'n_scores': g.size()})
per_course = per_course.join(courses.set_index('uid')[['indication', 'primary_scale']])
per_course['change'] = per_course['latest'] - per_course['baseline']
per_course['response'] = per_course['latest'] <= per_course['baseline'] * per_course['primary_scale'].map(RESPONSE)
per_course['remission'] = per_course['latest'] <= per_course['primary_scale'].map(REMISSION)

over = ((vitals['systolic'] >= 180) | (vitals['diastolic'] >= 110) | (vitals['heart_rate'] > 120) |
        (vitals['spo2'] < 92) | (vitals['systolic'] < 90) | (vitals['heart_rate'] < 50) | (vitals['resp_rate'] < 10))
events = (vitals[over].merge(infusions, left_on='infusion_uid', right_on='uid')
          .merge(courses[['uid', 'indication']], left_on='course_uid', right_on='uid'))
item9 = (scores[(scores['scale'] == 'phq9') & (scores['item_9'] > 0)]
         .merge(courses[['uid', 'indication']], left_on='course_uid', right_on='uid'))
n_inf = infusions.merge(courses[['uid', 'indication']], left_on='course_uid', right_on='uid')

out = pd.DataFrame({
    'courses': courses.groupby('indication').size(),
    'patients': courses.groupby('indication')['patient_uid'].nunique(),
    'infusions': n_inf.groupby('indication').size(),
    'baseline_mean': per_course.groupby('indication')['baseline'].mean(),
    'latest_mean': per_course.groupby('indication')['latest'].mean(),
    'change_mean': per_course.groupby('indication')['change'].mean(),
    'response_rate': per_course.groupby('indication')['response'].mean(),
    'remission_rate': per_course.groupby('indication')['remission'].mean(),
    'item9_positive': item9.groupby('indication').size(),
    'vital_events': events.groupby('indication').size(),
}).fillna(0)
out.to_csv(sys.argv[2])
if len(sys.argv) > 3:
    with open('/proc/self/status') as status, open(sys.argv[3], 'w') as stats:
        for line in status:
            if line.startswith('VmHWM:'):
                stats.write(line.split()[1] + '\n')
