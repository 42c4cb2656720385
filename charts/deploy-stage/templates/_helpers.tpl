{{/* The name every object of this release starts with. */}}
{{- define "deploy-stage.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "deploy-stage.labels" -}}
app.kubernetes.io/part-of: deploy-stage
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "deploy-stage.credentials" -}}
{{- default (printf "%s-credentials" (include "deploy-stage.fullname" .)) .Values.credentials.existingSecret -}}
{{- end -}}
