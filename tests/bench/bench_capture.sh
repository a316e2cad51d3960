#!/bin/sh
exec "$1"
