"""Backends that move the vehicle under test: embedded kinematics (default) and CARLA."""
