{{/* Name of every object of the release. */}}
{{- define "kscale.fullname" -}}
{{- default "kscale-adapter" .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "kscale.labels" -}}
app: {{ include "kscale.fullname" . }}
app.kubernetes.io/name: kscale
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels that select the adapter's pods. */}}
{{- define "kscale.selectorLabels" -}}
app: {{ include "kscale.fullname" . }}
{{- end -}}

{{/* An APIService for group/version. */}}
{{- define "kscale.apiservice" -}}
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: {{ .version }}.{{ .group }}
  labels:
    {{- include "kscale.labels" .root | nindent 4 }}
spec:
  group: {{ .group }}
  version: {{ .version }}
  service:
    name: {{ include "kscale.fullname" .root }}
    namespace: {{ .root.Release.Namespace }}
    port: {{ .root.Values.service.httpsPort }}
  groupPriorityMinimum: 100
  versionPriority: {{ .priority }}
  {{- if .root.Values.apiService.caBundle }}
  caBundle: {{ .root.Values.apiService.caBundle }}
  {{- else }}
  insecureSkipTLSVerify: true
  {{- end }}
{{- end -}}
