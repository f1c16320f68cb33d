"""CCHC warehouse: nightly loads of the provincial one-stop-shop, document-management and
public-service-portal exports into PostgreSQL, checked by Great Expectations, modelled by dbt."""

from cchc_warehouse.logs import quiet_libraries

quiet_libraries()
