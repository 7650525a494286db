# gitops chat notifications: posts the pipeline topic's messages to a chat
# webhook. The webhook URL is a credential: it is read from Secrets Manager
# at run time, never written in the template.
import json
import os
import urllib.request

import boto3

_url = None


def webhook_url():
    global _url
    if _url is None:
        sm = boto3.client("secretsmanager")
        value = sm.get_secret_value(SecretId=os.environ["WEBHOOK_SECRET"])["SecretString"].strip()
        if value.startswith("{"):
            value = json.loads(value)["url"]
        _url = value
    return _url


def text(subject, message):
    try:
        m = json.loads(message)
    except ValueError:
        return "%s\n%s" % (subject or "", message)
    a = m.get("approval")
    if a:
        return "Approval needed in pipeline %s, stage %s: %s\nReview: %s" % (
            a.get("pipelineName"), a.get("stageName"),
            a.get("customData") or a.get("actionName"), a.get("approvalReviewLink"))
    d = m.get("detail") or {}
    what = d.get("pipeline") or m.get("source", "")
    words = (m.get("detailType"), d.get("stage"), d.get("action"), d.get("state"))
    return "Pipeline %s: %s" % (what, " ".join(w for w in words if w))


def body(kind, msg):
    if kind == "chime":
        return {"Content": msg}
    return {"text": msg}


def handler(event, context):
    for record in event.get("Records", []):
        sns = record["Sns"]
        msg = text(sns.get("Subject"), sns["Message"])
        req = urllib.request.Request(
            webhook_url(),
            data=json.dumps(body(os.environ["CHAT_KIND"], msg)).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()
