{#- The custom schema is used as-is (staging, intermediate, marts), never prefixed with the
    target schema: the schemas are the warehouse's layers (conventions.md, "Data layers"). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
