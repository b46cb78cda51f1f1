{{- define "keyhaven.fullname" -}}
{{- printf "%s-keyhaven" .Release.Name | trunc 53 | trimSuffix "-" -}}
{{- end -}}

{{- define "keyhaven.labels" -}}
app.kubernetes.io/name: keyhaven
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "keyhaven.selector" -}}
app.kubernetes.io/name: keyhaven
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "keyhaven.image" -}}
{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end -}}

{{- define "keyhaven.scheme" -}}
{{ ternary "https" "http" (ne .Values.tls.secretName "") }}
{{- end -}}

{{/* Settings that make an install unusable fail `helm install` with the reason. */}}
{{- define "keyhaven.validate" -}}
{{- if not .Values.secretName -}}
{{- fail "secretName is required: the Secret with kek, token-signing-key, login-proxy-key and session-secret (see the chart's README or NOTES)" -}}
{{- end -}}
{{- if not (has .Values.engine.store (list "sqlite" "etcd")) -}}
{{- fail "engine.store must be sqlite or etcd" -}}
{{- end -}}
{{- if and (eq .Values.engine.store "sqlite") (ne (int .Values.engine.replicas) 1) -}}
{{- fail "engine.store=sqlite runs exactly one engine replica: use engine.store=etcd for more" -}}
{{- end -}}
{{- if and (eq .Values.engine.store "etcd") (empty .Values.engine.etcd.endpoints) -}}
{{- fail "engine.store=etcd needs engine.etcd.endpoints (the etcd cluster's client URLs)" -}}
{{- end -}}
{{- end -}}

{{/* The volumes both workloads mount: the keys Secret and, with TLS, the certificate Secret. */}}
{{- define "keyhaven.secretVolumes" -}}
- name: keys
  secret:
    secretName: {{ .Values.secretName }}
    defaultMode: 0400
{{- if .Values.tls.secretName }}
- name: tls
  secret:
    secretName: {{ .Values.tls.secretName }}
    defaultMode: 0400
{{- end }}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 64Mi
{{- end -}}
