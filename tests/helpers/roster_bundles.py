"""OneRoster 1.1 CSV bundles and simple CSV rosters for the tests, made in code."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

MANIFEST = """propertyName,value
manifest.version,1.0
oneroster.version,1.1
file.academicSessions,bulk
file.categories,absent
file.classes,bulk
file.classResources,absent
file.courses,bulk
file.courseResources,absent
file.demographics,bulk
file.enrollments,bulk
file.lineItems,absent
file.orgs,bulk
file.resources,absent
file.results,absent
file.users,bulk
source.systemName,Test SIS
"""

ORGS = """sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
org-1,,,Sunrise Primary,school,SP1,
"""

SESSIONS = """sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear
term-1,,,Term 1 2026,term,2026-01-10,2026-04-01,,2026
"""

COURSES = """sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes
course-1,,,term-1,Mathematics,MATH1,01,org-1,,
"""

CLASSES = """sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods
class-1,,,Mango class,01,course-1,M1,homeroom,,org-1,term-1,,,
"""

USERS = """sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password
user-t1,,,true,org-1,teacher,mbeki,,Thandi,Mbeki,,,,,,,,
user-s1,,,true,org-1,student,,,Ada,Okafor,,,,,,,01,sun moon star
user-s2,,,true,org-1,student,,,Bela,Tesfaye,,,,,,,01,
user-s3,,,true,org-1,student,,,Chike,Nwosu,,,,,,,01,
user-p1,,,true,org-1,parent,,,Pat,Okafor,,,,,,,,
"""

ENROLLMENTS = """sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
enr-1,,,class-1,org-1,user-t1,teacher,true,,
enr-2,,,class-1,org-1,user-s1,student,false,,
enr-3,,,class-1,org-1,user-s2,student,false,,
enr-4,,,class-1,org-1,user-s3,student,false,,
"""

DEMOGRAPHICS = """sourcedId,status,dateLastModified,birthDate,sex
user-s1,,,2019-02-03,female
"""


def bundle(**changes: str) -> dict[str, str]:
    """The files of a good bundle, with some replaced (keys: file names without .csv)."""
    files = {
        "manifest": MANIFEST,
        "orgs": ORGS,
        "academicSessions": SESSIONS,
        "courses": COURSES,
        "classes": CLASSES,
        "users": USERS,
        "enrollments": ENROLLMENTS,
        "demographics": DEMOGRAPHICS,
    }
    files.update(changes)
    return {f"{name}.csv": text for name, text in files.items()}


def zipped(files: dict[str, str]) -> bytes:
    """A bundle as a zip file's bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def folder(files: dict[str, str], path: Path) -> Path:
    """A bundle as a folder of CSV files."""
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


SIMPLE = """class,given_name,family_name,username,picture_password
Acacia class,Yusuf,Bello,,sun goat drum
Acacia class,Zara,Haddad,zara.h,moon star tree
Papaya class,Kwame,Asante,,
"""


# A district of two schools (issue 15): the first org is a school named by its id.
DISTRICT_ORGS = """sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
{first},,,Sunrise Primary,school,SP1,district-1
org-2,,,Hill School,school,HILL,district-1
district-1,,,The District,district,D1,
"""
DISTRICT_COURSES = """sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes
course-1,,,term-1,Mathematics,MATH1,01,{first},,
course-2,,,term-1,Mathematics,MATH1,01,org-2,,
"""
DISTRICT_CLASSES = """sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods
class-1,,,Mango class,01,course-1,M1,homeroom,,{first},term-1,,,
class-2,,,Hill class,01,course-2,H1,homeroom,,org-2,term-1,,,
"""
DISTRICT_USERS = """sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password
user-t1,,,true,{first},teacher,mbeki,,Thandi,Mbeki,,,,,,,,
user-s1,,,true,{first},student,,,Ada,Okafor,,,,,,,01,sun moon star
user-t2,,,true,org-2,teacher,hill.t,,Hana,Hill,,,,,,,,
user-s2,,,true,org-2,student,,,Bela,Tesfaye,,,,,,,01,
"""
DISTRICT_ENROLLMENTS = """sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate
enr-1,,,class-1,{first},user-t1,teacher,true,,
enr-2,,,class-1,{first},user-s1,student,false,,
enr-3,,,class-2,org-2,user-t2,teacher,true,,
enr-4,,,class-2,org-2,user-s2,student,false,,
"""


def district_bundle(first: str, **changes: str) -> dict[str, bytes]:
    """Two schools' bundle: the first org names a school by its id, the second by code."""
    parts = {
        "orgs": DISTRICT_ORGS.format(first=first),
        "courses": DISTRICT_COURSES.format(first=first),
        "classes": DISTRICT_CLASSES.format(first=first),
        "users": DISTRICT_USERS.format(first=first),
        "enrollments": DISTRICT_ENROLLMENTS.format(first=first),
    }
    files = bundle(**{**parts, **changes})
    return {name.lower(): text.encode() for name, text in files.items()}
