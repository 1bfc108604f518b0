"""The pedestrian street network: built from OpenStreetMap, stored in PostGIS, routed in process."""
