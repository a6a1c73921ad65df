{{/* The chart's name: nameOverride, else "bgplb". */}}
{{- define "bgplb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{/* Object names: fullnameOverride, else "<release>-<name>", or the release name when it
already contains the name (MetalLB's chart rule). */}}
{{- define "bgplb.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "bgplb.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "bgplb.namespace" -}}
{{- .Values.namespace | default .Release.Namespace -}}
{{- end -}}

{{- define "bgplb.tag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{- define "bgplb.labels" -}}
app.kubernetes.io/part-of: bgplb
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* selector labels of one component: include "bgplb.selector" (list . "speaker") */}}
{{- define "bgplb.selector" -}}
app.kubernetes.io/name: {{ include "bgplb.name" (index . 0) }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Pod labels of one component: the selector, MetalLB's static-manifest labels (app:
metallb, component: <c>) so its users' `kubectl -l` and monitors select our pods, and
the component's labels / podLabels values. */}}
{{- define "bgplb.podLabels" -}}
{{- $root := index . 0 -}}{{- $c := index . 1 -}}
{{- $v := index $root.Values $c -}}
{{ include "bgplb.selector" . }}
app: metallb
component: {{ $c }}
{{- with $v.labels }}
{{ toYaml . }}
{{- end }}
{{- with $v.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod annotations: podAnnotations, plus Prometheus' scrape annotations when asked. */}}
{{- define "bgplb.podAnnotations" -}}
{{- $root := index . 0 -}}{{- $c := index . 1 -}}
{{- $v := index $root.Values $c -}}
{{- if $root.Values.prometheus.scrapeAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: "7472"
{{- end }}
{{- with $v.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The ServiceAccount of one component: include "bgplb.serviceAccountName" (list . "speaker") */}}
{{- define "bgplb.serviceAccountName" -}}
{{- $root := index . 0 -}}{{- $c := index . 1 -}}
{{- $sa := (index $root.Values $c).serviceAccount -}}
{{- if $sa.create -}}
{{- default (printf "%s-%s" (include "bgplb.fullname" $root) $c) $sa.name -}}
{{- else -}}
{{- default "default" $sa.name -}}
{{- end -}}
{{- end -}}

{{/* A probe from its values: include "bgplb.probe" (list $values "/readyz" "health") */}}
{{- define "bgplb.probe" -}}
{{- $p := index . 0 -}}
httpGet:
  path: {{ index . 1 }}
  port: {{ index . 2 }}
initialDelaySeconds: {{ $p.initialDelaySeconds }}
periodSeconds: {{ $p.periodSeconds }}
timeoutSeconds: {{ $p.timeoutSeconds }}
successThreshold: {{ $p.successThreshold }}
failureThreshold: {{ $p.failureThreshold }}
{{- end -}}

{{/* name and component labels, for objects that also carry bgplb.labels */}}
{{- define "bgplb.componentLabels" -}}
app.kubernetes.io/name: {{ include "bgplb.name" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}
