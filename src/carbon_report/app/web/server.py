"""The page's HTTP side: Flask for routing, waitress to serve it (see docs/web.md for why these two).

Every request needs this launch's token (query `token`, or header X-Token) and a Host header naming
127.0.0.1 or localhost with this port (a DNS-rebinding page in the same browser gets 403 too). Handlers only
save uploads, read job state and send files; the pipeline runs in the batch's worker pool (jobs.py).
"""

from __future__ import annotations

import hmac
import io
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Flask, Request, abort, jsonify, request, send_file
from werkzeug.exceptions import HTTPException

from carbon_report.app.web.jobs import Jobs, job_json

PAGE = "page.html"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: never sent elsewhere
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def create_app(token: str, jobs: Jobs, port: int, spool: Path) -> Flask:
    """The page's application. `spool`: where an upload's body is kept while it is read (the session's own
    folder, removed when the server stops; never the system temp folder)."""

    class SpoolRequest(Request):
        def _get_file_stream(self, total_content_length: Any, content_type: Any, filename: Any = None,
                             content_length: Any = None) -> Any:
            return tempfile.TemporaryFile(dir=spool)

    app = Flask("carbon_report.app.web", static_folder=None)
    app.request_class = SpoolRequest
    app.config["MAX_CONTENT_LENGTH"] = None  # sizes are checked per file, with the CLI's messages
    allowed_hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}

    @app.before_request
    def guard() -> None:
        host = (request.headers.get("Host") or "").lower()
        if host not in allowed_hosts:
            abort(403, "Host 不是本机 host is not this computer")
        given = request.args.get("token") or request.headers.get("X-Token") or ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            abort(403, "缺少或错误的访问令牌：请使用 carbon-report web 打印的完整地址 missing or wrong token")

    @app.after_request
    def headers(response: Any) -> Any:
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> Any:
        return jsonify(error=e.description or e.name), e.code

    @app.errorhandler(Exception)
    def internal(e: Exception) -> Any:  # a bug: one line on the page, the traceback in the support log
        from carbon_report.app import log
        from carbon_report.core.findings import Code

        where = log.path_note(log.internal_error(e))
        return jsonify(error=f"内部错误：{type(e).__name__}: {e}；{where} [{Code.E_INTERNAL}]"), 500

    @app.get("/")
    def page() -> Any:
        html = resources.files("carbon_report.app.web").joinpath(PAGE).read_text(encoding="utf-8")
        return html, 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.post("/api/upload")
    def upload() -> Any:
        files = request.files.getlist("files")
        if not files:
            abort(400, "没有选择文件 no file chosen")
        try:
            job = jobs.add(((f.filename or "upload", f.stream) for f in files), pcf=request.form.get("pcf") == "1")
        finally:
            for f in files:
                f.close()
        return jsonify(job_json(job, token))

    @app.get("/api/jobs/<job_id>")
    def job_state(job_id: str) -> Any:
        job = jobs.get(job_id)
        if job is None:
            abort(404, "没有这个任务 no such job")
        return jsonify(job_json(job, token))

    @app.get("/download/<job_id>/all.zip")
    def download_all(job_id: str) -> Any:
        job = jobs.get(job_id)
        if job is None or not job.done:
            abort(404, "没有这个任务，或尚未完成 no such job, or not done")
        data = jobs.zip_all(job).read_bytes()
        return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                         download_name="全部结果.zip")

    @app.get("/download/<job_id>/<file_id>/<kind>")
    def download(job_id: str, file_id: str, kind: str) -> Any:
        job = jobs.get(job_id)
        path = jobs.output(job, file_id, kind) if job is not None else None
        if path is None:
            abort(404, "没有这个文件 no such file")
        return send_file(path, as_attachment=True, download_name=path.name)

    @app.get("/api/profile")
    def profile_get() -> Any:
        return jsonify(_profile_json())

    @app.post("/api/profile")
    def profile_post() -> Any:
        from carbon_report.app.profile import set_value
        from carbon_report.core.profile import PROFILE_KEYS

        errors: list[str] = []
        for k in PROFILE_KEYS:
            if k.kind == "file":
                up = request.files.get(k.key)
                if up is None or not up.filename:
                    if request.form.get(f"clear_{k.key}"):
                        _try(set_value, k.key, "", errors)
                    continue
                dest = spool / f"profile_{k.key}{Path(up.filename).suffix.lower()[:8]}"
                up.save(dest)
                try:
                    _try(set_value, k.key, str(dest), errors)
                finally:
                    dest.unlink(missing_ok=True)
            elif k.key in request.form:
                _try(set_value, k.key, request.form[k.key], errors)
        body = _profile_json()
        body["errors"] = errors
        return jsonify(body), (400 if errors else 200)

    def _try(fn: Any, key: str, value: str, errors: list[str]) -> None:
        from carbon_report.core.errors import ProfileError

        try:
            fn(key, value)
        except ProfileError as e:
            errors.append(f"{e.message} [{e.code}]")

    return app


def _profile_json() -> dict[str, Any]:
    from carbon_report.app.profile import PROFILE_FILE, load_profile, profile_dir
    from carbon_report.core.errors import ProfileError
    from carbon_report.core.profile import PROFILE_KEYS, Profile

    error = ""
    try:
        profile = load_profile()
    except ProfileError as e:
        profile, error = Profile(), f"{e.message} [{e.code}]"
    return {"path": str(profile_dir() / PROFILE_FILE), "error": error,
            "fields": [{"key": k.key, "label": k.label, "kind": k.kind, "value": profile.value(k.key)}
                       for k in PROFILE_KEYS]}
