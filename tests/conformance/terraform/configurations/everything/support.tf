# What the Image Builder resources need from other services (moto's server answers these).

resource "aws_iam_role" "instance" {
  name = "${var.name}-instance"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = { Service = "ec2.${data.aws_partition.current.dns_suffix}" }
    }]
  })
}

resource "aws_iam_instance_profile" "test" {
  name = aws_iam_role.instance.name
  role = aws_iam_role.instance.name
}

resource "aws_iam_role" "imagebuilder" {
  name = "${var.name}-service"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = { Service = "imagebuilder.${data.aws_partition.current.dns_suffix}" }
    }]
  })
}

resource "aws_vpc" "test" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "test" {
  vpc_id     = aws_vpc.test.id
  cidr_block = cidrsubnet(aws_vpc.test.cidr_block, 8, 0)
}

resource "aws_security_group" "test" {
  name   = var.name
  vpc_id = aws_vpc.test.id
}

resource "aws_sns_topic" "test" {
  name = var.name
}

resource "aws_s3_bucket" "logs" {
  bucket        = "${var.name}-logs"
  force_destroy = true
}

resource "aws_kms_key" "test" {
  deletion_window_in_days = 7
}

resource "aws_ecr_repository" "test" {
  name         = var.name
  force_delete = true
}
