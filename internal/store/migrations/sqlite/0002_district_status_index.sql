-- The district views (a district operator's worklist, "open records in
-- this district") filter on district and status together; with only
-- (district, id) they read every closed record of the district to find a
-- page of open ones. Measured by BenchmarkList/district_open.
CREATE INDEX hazard_records_district_status
    ON hazard_records (district, status, id);
