-- osm2pgsql flex style: the base map layers of wijkgram's own vector tiles.
--
-- Run by `wijkgram geo import-basemap FILE` (geo/basemap/load.py), which sets the
-- target schema in WIJKGRAM_BASEMAP_SCHEMA (a staging schema, swapped in when the
-- load succeeded). Geometries are stored in Web Mercator (EPSG:3857), the tiles'
-- own projection, so serving a tile never reprojects the base map.
--
-- Tables (one per tile layer; docs/web.md "Vector tiles" lists the attributes):
--   streets   lines:    name, class (major, minor, path, service), kind (highway value), bridge, tunnel
--   water     polygons: kind, name, area
--   waterways lines:    kind, name
--   green     polygons: kind, name, area
--   buildings polygons: area
--   railways  lines:    kind, tunnel
--   places    points:   kind, name, rank

local schema = os.getenv('WIJKGRAM_BASEMAP_SCHEMA') or 'basemap'

local function table_of(name, geometry, columns)
    local all = { { column = 'geom', type = geometry, projection = 3857, not_null = true } }
    for _, column in ipairs(columns) do
        table.insert(all, column)
    end
    return osm2pgsql.define_table({
        name = name,
        schema = schema,
        ids = { type = 'any', id_column = 'osm_id', type_column = 'osm_type' },
        columns = all,
    })
end

local text = function(name) return { column = name, type = 'text' } end
local real = function(name) return { column = name, type = 'real' } end
local bool = function(name) return { column = name, type = 'bool' } end

local tables = {
    streets = table_of('streets', 'linestring', { text('name'), text('class'), text('kind'), bool('bridge'), bool('tunnel') }),
    water = table_of('water', 'multipolygon', { text('kind'), text('name'), real('area') }),
    waterways = table_of('waterways', 'linestring', { text('kind'), text('name') }),
    green = table_of('green', 'multipolygon', { text('kind'), text('name'), real('area') }),
    buildings = table_of('buildings', 'multipolygon', { real('area') }),
    railways = table_of('railways', 'linestring', { text('kind'), bool('tunnel') }),
    places = table_of('places', 'point', { text('kind'), text('name'), { column = 'rank', type = 'int' } }),
}

-- highway value -> style class. Anything not listed is not drawn.
local STREET_CLASS = {
    motorway = 'major', motorway_link = 'major', trunk = 'major', trunk_link = 'major',
    primary = 'major', primary_link = 'major', secondary = 'major', secondary_link = 'major',
    tertiary = 'major', tertiary_link = 'major',
    residential = 'minor', unclassified = 'minor', living_street = 'minor', road = 'minor',
    pedestrian = 'path', footway = 'path', cycleway = 'path', path = 'path', steps = 'path',
    track = 'path', bridleway = 'path',
    service = 'service',
}

local WATER = { water = true, bay = true, reservoir = true, basin = true, riverbank = true }
local WATERWAY_LINES = { river = true, canal = true, stream = true, ditch = true, drain = true }

local GREEN_LEISURE = { park = true, garden = true, playground = true, pitch = true, nature_reserve = true,
                        common = true, dog_park = true }
local GREEN_LANDUSE = { grass = true, forest = true, meadow = true, recreation_ground = true,
                        cemetery = true, allotments = true, village_green = true, flowerbed = true }
local GREEN_NATURAL = { wood = true, scrub = true, grassland = true, heath = true, wetland = true }

local RAIL = { rail = true, tram = true, subway = true, light_rail = true, narrow_gauge = true }

-- place value -> rank (lower is more important; the tiles show low ranks first).
local PLACE_RANK = { city = 1, town = 2, suburb = 3, village = 3, quarter = 4, neighbourhood = 5,
                     hamlet = 5, square = 6, locality = 6 }

local function yes(value)
    return value == 'yes' or value == 'true' or value == '1'
end

local function water_kind(tags)
    if tags.natural == 'water' then return tags.water or 'water' end
    if tags.waterway == 'riverbank' or tags.waterway == 'dock' then return 'river' end
    if tags.landuse == 'reservoir' or tags.landuse == 'basin' then return tags.landuse end
    return nil
end

local function green_kind(tags)
    if GREEN_LEISURE[tags.leisure] then return tags.leisure end
    if GREEN_LANDUSE[tags.landuse] then return tags.landuse end
    if GREEN_NATURAL[tags.natural] then return tags.natural end
    return nil
end

-- Areas (closed ways and multipolygon relations) into water, green and buildings.
local function add_area(tags, geom)
    if geom:is_null() then return end
    local area = geom:transform(3857):area()
    local kind = water_kind(tags)
    if kind then
        tables.water:insert({ geom = geom, kind = kind, name = tags.name, area = area })
    end
    kind = green_kind(tags)
    if kind then
        tables.green:insert({ geom = geom, kind = kind, name = tags.name, area = area })
    end
    if tags.building and tags.building ~= 'no' then
        tables.buildings:insert({ geom = geom, area = area })
    end
end

function osm2pgsql.process_node(object)
    local tags = object.tags
    local rank = PLACE_RANK[tags.place]
    if rank and tags.name then
        tables.places:insert({ geom = object:as_point(), kind = tags.place, name = tags.name, rank = rank })
    end
end

function osm2pgsql.process_way(object)
    local tags = object.tags
    local class = STREET_CLASS[tags.highway]
    if class and tags.area ~= 'yes' then
        tables.streets:insert({
            geom = object:as_linestring(), name = tags.name, class = class, kind = tags.highway,
            bridge = yes(tags.bridge), tunnel = yes(tags.tunnel) or tags.covered == 'yes',
        })
    end
    if WATERWAY_LINES[tags.waterway] then
        tables.waterways:insert({ geom = object:as_linestring(), kind = tags.waterway, name = tags.name })
    end
    if RAIL[tags.railway] then
        tables.railways:insert({ geom = object:as_linestring(), kind = tags.railway, tunnel = yes(tags.tunnel) })
    end
    if object.is_closed and not class and not WATERWAY_LINES[tags.waterway] and not RAIL[tags.railway] then
        add_area(tags, object:as_polygon())
    end
    local rank = PLACE_RANK[tags.place]
    if rank and tags.name and object.is_closed then
        tables.places:insert({ geom = object:as_polygon():centroid(), kind = tags.place, name = tags.name, rank = rank })
    end
end

function osm2pgsql.process_relation(object)
    local tags = object.tags
    if tags.type == 'multipolygon' then
        add_area(tags, object:as_multipolygon())
    end
end
